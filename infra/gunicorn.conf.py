"""gunicorn settings for the web container (infra/Dockerfile): trusts the same proxies as Django.

X-Forwarded-Proto (and the other secure-scheme headers) are honoured only from the addresses in
THONGTHIN_TRUSTED_PROXIES, the list services/common/client_ip.py reads for X-Forwarded-For.
"""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("THONGTHIN_TRUSTED_PROXIES", "") or "127.0.0.1"
