"""Independent check of nstba-core's client assertions with PyJWT + cryptography.

Run by tests/m2m.rs (`m2m_interop_with_pyjwt`): reads one JSON job on stdin, writes one JSON answer on
stdout, exits non-zero (with the reason on stderr) when a check fails.

Job:
  {"verify": [{"name", "alg", "public_key", "jwt", "kid", "claims": {...}}],
   "sign":   [{"name", "alg", "private_key", "kid", "claims": {...}}]}
Answer:
  {"verified": ["name", ...], "signed": {"name": "<jwt>", ...}}

Each "verify" item is a JWT built by nstba-core: PyJWT must verify its signature with the public key
and find exactly the given header (typ JWT, alg, kid) and claims; a copy with a flipped signature byte
must be rejected (so a verification that accepts anything cannot pass). Each "sign" item is signed here
by PyJWT for nstba-core's verifier to judge.
"""

import base64
import json
import sys

try:
    import jwt
    from cryptography.hazmat.primitives import serialization
except ImportError as exc:  # the Rust test turns this into a failure, never a skip
    sys.stderr.write(
        f"missing Python module ({exc}); install with: python3 -m pip install PyJWT cryptography\n"
    )
    sys.exit(3)


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


def load(path, private):
    with open(path, "rb") as f:
        data = f.read()
    if private:
        return serialization.load_pem_private_key(data, password=None)
    return serialization.load_pem_public_key(data)


def flip_signature(token):
    head, claims, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, claims, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def verify(item):
    name, alg, token = item["name"], item["alg"], item["jwt"]
    key = load(item["public_key"], private=False)
    header = jwt.get_unverified_header(token)
    expected_header = {"typ": "JWT", "alg": alg, "kid": item["kid"]}
    if header != expected_header:
        fail(f"{name}: header {header} != {expected_header}")
    expected = item["claims"]
    # The test's clock is fixed in the past, so PyJWT's own clock checks are off; every claim is
    # compared exactly below instead, and aud/iss are still checked by PyJWT.
    claims = jwt.decode(
        token,
        key,
        algorithms=[alg],
        audience=expected["aud"],
        issuer=expected["iss"],
        options={
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
            "require": ["iss", "aud", "iat", "exp", "jti"],
        },
    )
    if claims != expected:
        fail(f"{name}: claims {claims} != {expected}")
    try:
        jwt.decode(
            flip_signature(token),
            key,
            algorithms=[alg],
            audience=expected["aud"],
            options={"verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        pass
    else:
        fail(f"{name}: PyJWT accepted a tampered signature")


def sign(item):
    key = load(item["private_key"], private=True)
    return jwt.encode(item["claims"], key, algorithm=item["alg"], headers={"kid": item["kid"]})


def main():
    job = json.load(sys.stdin)
    verified = []
    for item in job.get("verify", []):
        verify(item)
        verified.append(item["name"])
    signed = {item["name"]: sign(item) for item in job.get("sign", [])}
    json.dump({"verified": verified, "signed": signed}, sys.stdout)


if __name__ == "__main__":
    main()
