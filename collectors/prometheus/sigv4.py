"""SigV4 request signing for Amazon Managed Service for Prometheus.

AMP accepts the Prometheus HTTP API only when each request is signed with the
caller's AWS credentials for service ``aps``. We sign with botocore (the same code
the AWS CLI uses) and take credentials from the default chain at request time, so
IRSA / EKS Pod Identity token refreshes are honoured.
"""

from __future__ import annotations

from collections.abc import Generator

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError

from collectors.prometheus.errors import PrometheusError


class SigV4HttpxAuth(httpx.Auth):
    """An httpx auth flow that signs each request with SigV4."""

    requires_request_body = True

    def __init__(self, region: str, service: str = "aps", session: boto3.Session | None = None):
        self._region = region
        self._service = service
        self._session = session or boto3.Session()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        try:
            credentials = self._session.get_credentials()
        except BotoCoreError as exc:
            raise PrometheusError(f"cannot load AWS credentials for SigV4: {exc}") from exc
        if credentials is None:
            raise PrometheusError(
                "no AWS credentials found for SigV4 signing (set AWS_* variables, a profile, "
                "or an IAM role for the service account)"
            )
        frozen = credentials.get_frozen_credentials()
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in {"content-type", "host"}
        }
        aws_request = AWSRequest(
            method=request.method, url=str(request.url), data=request.content, headers=headers
        )
        SigV4Auth(frozen, self._service, self._region).add_auth(aws_request)
        for name, value in aws_request.headers.items():
            request.headers[name] = value
        yield request
