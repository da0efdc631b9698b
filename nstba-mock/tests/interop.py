#!/usr/bin/env python3
"""Interop: requests-oauthlib (HMAC-SHA256, realm) signs requests nstba-mock must accept, and the
emulator must reject them when one byte of the secret, the URL or a query parameter changes.

usage: interop.py BASE_URL ACCOUNT CONSUMER_KEY CONSUMER_SECRET TOKEN_ID TOKEN_SECRET
"""
import json
import sys

import requests
from requests_oauthlib import OAuth1

base, realm, ck, cs, tk, ts = sys.argv[1:7]


def auth(consumer_secret=cs, token_secret=ts):
    return OAuth1(ck, consumer_secret, tk, token_secret,
                  signature_method="HMAC-SHA256", realm=realm)


def flip(s):
    """Changes one byte."""
    return s[:-1] + ("0" if s[-1] != "0" else "1")


failures = []


def expect(name, status, resp):
    if resp.status_code != status:
        failures.append(f"{name}: expected {status}, got {resp.status_code}: {resp.text[:300]}")
    else:
        print(f"ok   {name}: {status}")


record = f"{base}/services/rest/record/v1/customer/1"
lst = f"{base}/services/rest/record/v1/customer"
restlet = f"{base}/app/site/hosting/restlet.nl"

# Accepted: plain GET, query parameters (with characters that need encoding), SuiteQL, RESTlet.
expect("GET record", 200, requests.get(record, auth=auth()))
expect("GET list with q", 200, requests.get(
    lst, params={"q": 'companyName CONTAIN "Acme Corp" OR email START_WITH ap@', "limit": "5"}, auth=auth()))
expect("GET record with fields", 200, requests.get(record, params={"fields": "companyName,email"}, auth=auth()))
r = requests.post(f"{base}/services/rest/query/v1/suiteql", params={"limit": "2", "offset": "0"},
                  json={"q": "SELECT id, companyname FROM customer ORDER BY id"},
                  headers={"Prefer": "transient"}, auth=auth())
expect("SuiteQL", 200, r)
if r.status_code == 200 and r.json().get("count") != 2:
    failures.append(f"SuiteQL count: {r.text}")
expect("POST create", 204, requests.post(lst, json={"companyName": "Interop Inc."}, auth=auth()))
r = requests.post(restlet, params={"script": "customscript_echo", "deploy": "customdeploy_1", "custom": "a b/c!*'()"},
                  json={"hello": "world"}, auth=auth())
expect("RESTlet POST JSON", 200, r)
if r.status_code == 200 and r.json().get("custom") != "a b/c!*'()":
    failures.append(f"RESTlet params: {r.text}")
expect("RESTlet POST form (body signed)", 200, requests.post(
    restlet, params={"script": "customscript_echo", "deploy": "customdeploy_1"},
    data={"field": "value with spaces", "x": "1+1=2"}, auth=auth()))

# Rejected: one byte of either secret.
expect("consumer secret off by one byte", 401, requests.get(record, auth=auth(consumer_secret=flip(cs))))
expect("token secret off by one byte", 401, requests.get(record, auth=auth(token_secret=flip(ts))))

# Rejected: signed for one URL / query, sent with another.
def resend(prepared_url, sent_url, method="GET"):
    req = requests.Request(method, prepared_url, auth=auth()).prepare()
    req.url = sent_url
    return requests.Session().send(req)

expect("URL path changed by one byte", 401,
       resend(record, f"{base}/services/rest/record/v1/customer/2"))
expect("query parameter value changed", 401,
       resend(f"{lst}?limit=5", f"{lst}?limit=6"))
expect("query parameter added", 401,
       resend(f"{lst}?limit=5", f"{lst}?limit=5&offset=0"))
expect("query parameter name changed", 401,
       resend(f"{lst}?limit=5", f"{lst}?limiT=5"))

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print("interop ok")
