"""FakeGitHub's authentication: tokens, installation tokens and App JWTs, checked as GitHub checks them."""

from __future__ import annotations

import time
from typing import Any

import jwt

from bot.simulator.github_calls import HTTPError
from bot.simulator.openapi import Operation


class Authentication:
    """Mixed into FakeGitHub (which holds tokens, user_tokens, token_logins, app_id, app_public_key, jwt_claims)."""

    @staticmethod
    def _credential(headers: dict[str, str]) -> tuple[str | None, str | None]:
        auth = headers.get("authorization", "")
        if not auth:
            return None, None
        token = auth.split(None, 1)[-1]
        if token.count(".") == 2 and token.startswith("ey"):
            try:
                return f"jwt:{jwt.decode(token, options={'verify_signature': False}).get('iss')}", token
            except jwt.PyJWTError:
                return "jwt:invalid", token
        return token, token

    def _authenticate(self, op: Operation, token: str | None) -> dict[str, Any] | None:
        """Check the credential; return the user that writes made with it are authored by."""
        if op.operation_id == "apps/create-from-manifest":  # the one-time code is the credential
            return None
        if op.template == "/app" or op.template.startswith("/app/"):  # "Get an app" (/apps/{slug}) takes any token
            self._verify_jwt(token)
            return None
        if token is None:
            if op.method != "get":
                raise HTTPError(401, "Requires authentication")
            return None
        if token in self.user_tokens:
            return {"login": self.user_tokens[token], "type": "User"}
        if token in self.tokens:
            info = self.tokens[token]
            if info["expires"] < time.time():
                raise HTTPError(401, "Bad credentials")
            login, kind = f"{self.app_slug}[bot]", "Bot"
        else:
            login = self.token_logins.get(token, self.token_login)
            kind = "Bot" if login.endswith("[bot]") else "User"
        return {"login": login, "type": kind}

    def _verify_jwt(self, token: str | None) -> dict[str, Any]:
        if not token:
            raise HTTPError(401, "A JSON web token could not be decoded")
        try:
            if self.app_public_key is not None:
                claims = jwt.decode(
                    token, self.app_public_key, algorithms=["RS256"], options={"require": ["iat", "exp", "iss"]}
                )
            else:
                claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as e:
            raise HTTPError(401, f"A JSON web token could not be decoded ({e})") from None
        with self._lock:
            self.jwt_claims.append(claims)
        if str(claims.get("iss")) != str(self.app_id):
            raise HTTPError(401, "'Issuer' claim ('iss') must be the App id")
        if claims["exp"] - time.time() > 600 + 5:
            raise HTTPError(401, "'Expiration time' claim ('exp') is too far in the future")
        return claims
