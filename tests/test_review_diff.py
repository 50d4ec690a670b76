"""Diff collection: hunk lines, binary files, chunking with what was skipped stated."""

from bot.github.port import PullFile
from bot.review.diff import commentable_lines, numbered, plan

PATCH = """@@ -10,4 +10,5 @@ def login(user):
     check(user)
-    allow = False
+    allow = True
+    log(user)
     return allow
@@ -40,2 +41,2 @@
-old
+new
 tail
\\ No newline at end of file"""


def test_commentable_lines_follow_hunk_headers():
    assert commentable_lines(PATCH) == {10, 11, 12, 13, 41, 42}
    assert commentable_lines(None) == set()
    assert commentable_lines("@@ -1,2 +0,0 @@\n-a\n-b") == set()  # deleted file: no RIGHT lines


def test_numbered_shows_new_line_numbers_per_hunk():
    hunks = numbered(PATCH)
    assert len(hunks) == 2
    assert "   11 +    allow = True" in hunks[0]
    assert "      -    allow = False" in hunks[0]
    assert "   42  tail" in hunks[1]


def _file(name, lines=3, patch=True, status="modified"):
    body = "".join(f"+line {i} of {name}\n" for i in range(lines))
    return PullFile(filename=name, status=status, additions=lines, changes=lines,
                    patch=f"@@ -0,0 +1,{lines} @@\n{body}" if patch else None)


def test_binary_and_pure_renames_are_skipped_and_stated():
    files = [_file("a.py"), _file("logo.png", patch=False, status="added"),
             PullFile(filename="b.py", previous_filename="old_b.py", status="renamed", changes=0)]
    p = plan(files, max_chars=10_000, max_chunks=4)
    assert [c.paths for c in p.chunks] == [["a.py"]]
    text = p.skipped_text()
    assert "`logo.png`: no text diff (binary or too large" in text
    assert "`b.py`: renamed without changes" in text
    assert p.skipped_files == 2


def test_security_files_go_first_and_budget_overflow_is_stated():
    files = [_file(f"src/f{i}.py", lines=50) for i in range(20)] + [_file("src/auth/x.py", lines=50)]
    size = len(numbered(files[0].patch)[0]) + 80
    p = plan(files, max_chars=size * 3, max_chunks=2, first=["src/auth/x.py"])
    assert p.chunks[0].paths[0] == "src/auth/x.py"
    assert len(p.chunks) == 2
    sent = [path for c in p.chunks for path in c.paths]
    assert all(c.size <= size * 3 for c in p.chunks)
    not_sent = {s.path for s in p.skipped}
    assert not_sent == {f.filename for f in files} - set(sent)
    assert "review budget of 2 chunks was used up" in p.skipped_text()


def test_a_file_larger_than_a_chunk_is_split_by_hunks_and_cut_when_one_hunk_is_too_big():
    hunks = "".join(f"@@ -{i * 100},1 +{i * 100},2 @@\n ctx\n+added {i}\n" for i in range(1, 6))
    big = PullFile(filename="big.py", additions=5, changes=5, patch=hunks)
    p = plan([big], max_chars=120, max_chunks=10)
    assert len(p.chunks) >= 3 and all(c.size <= 120 for c in p.chunks)
    assert "(part 5/5)" in p.chunks[-1].text
    huge = PullFile(filename="huge.py", additions=3000, changes=3000,
                    patch="@@ -0,0 +1,3000 @@\n" + "".join(f"+x = {i}\n" for i in range(3000)))
    p = plan([huge], max_chars=2_000, max_chunks=3)
    assert len(p.chunks) == 1 and p.chunks[0].size <= 2_000
    assert "more lines of this hunk not shown" in p.chunks[0].text
    assert "lines of one very large hunk not reviewed" in p.skipped_text()
    assert 2900 in p.commentable["huge.py"]  # still commentable even though not shown


def test_three_hundred_files_twenty_thousand_lines_are_chunked():
    files = [_file(f"pkg/mod{i}.py", lines=67) for i in range(300)]  # 20,100 lines
    p = plan(files, max_chars=150_000, max_chunks=8)
    assert sum(len(c.paths) for c in p.chunks) + p.skipped_files == 300
    assert all(c.size <= 150_000 for c in p.chunks)
    assert len(p.chunks) > 1
