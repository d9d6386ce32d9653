"""Typed, bilingual errors of a publish.

Every way a publish can fail has its own class, so the dialog, the task and
the Processing algorithm can react (offer a refresh on a conflict, ask for a
token on 401) and the officer reads a sentence that says what to do, in
Vietnamese by default. A failed publish never changes the public map: the
pointer moves only in the final commit, and a commit either happens or not.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from ..errors import WorkspaceError


class PublishError(WorkspaceError):
    """A publish (or a read of the public release) did not go through."""

    # Whether the publish can simply be tried again later as it is.
    retryable = False

    def __init__(self, message_vi: str, message_en: str, *, status: Optional[int] = None,
                 detail: str = "") -> None:
        if detail:
            message_vi = f"{message_vi} ({detail})"
            message_en = f"{message_en} ({detail})"
        super().__init__(message_vi, message_en)
        self.status = status
        self.detail = detail


class InvalidEndpointError(PublishError):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"Địa chỉ máy chủ công bố không hợp lệ: {url!r}. Nhập một địa chỉ bắt đầu bằng "
            "http:// hoặc https://.",
            f"The publishing endpoint address is not valid: {url!r}. Enter an address that "
            "starts with http:// or https://.",
        )


class MissingTokenError(PublishError):
    """No usable token: no authcfg, an unknown one, or the auth DB is locked."""


class EndpointUnreachableError(PublishError):
    retryable = True

    def __init__(self, url: str, detail: str = "") -> None:
        super().__init__(
            f"Không kết nối được máy chủ công bố {url}. Kiểm tra kết nối mạng và địa chỉ máy "
            "chủ, hoặc liên hệ bộ phận CNTT. Bản đồ công khai không thay đổi.",
            f"Cannot reach the publishing endpoint {url}. Check the network connection and the "
            "endpoint address, or contact the ICT staff. The public map did not change.",
            detail=detail,
        )


class EndpointTimeoutError(PublishError):
    retryable = True

    def __init__(self, url: str, timeout_s: float) -> None:
        super().__init__(
            f"Máy chủ công bố {url} không trả lời sau {timeout_s:g} giây. Thử lại sau, hoặc "
            "tăng thời gian chờ mạng trong Tùy chọn QGIS › Mạng. Bản đồ công khai không thay đổi.",
            f"The publishing endpoint {url} did not answer within {timeout_s:g} s. Try again "
            "later, or raise the network timeout in QGIS Options › Network. The public map did "
            "not change.",
        )


class ProxyRefusedError(PublishError):
    retryable = True

    def __init__(self, proxy: str, detail: str = "") -> None:
        super().__init__(
            f"Máy chủ proxy {proxy} từ chối hoặc không chuyển tiếp yêu cầu. Kiểm tra cấu hình "
            "proxy trong Tùy chọn QGIS › Mạng (hoặc thêm máy chủ công bố vào danh sách bỏ qua "
            "proxy). Bản đồ công khai không thay đổi.",
            f"The proxy {proxy} refused or did not forward the request. Check the proxy settings "
            "in QGIS Options › Network (or add the endpoint to the proxy exclusion list). The "
            "public map did not change.",
            detail=detail,
        )


class NotAuthenticatedError(PublishError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Máy chủ không chấp nhận mã truy cập (token). Mã có thể sai, hết hạn hoặc đã bị thu "
            "hồi: xin mã mới từ bộ phận CNTT và lưu vào cấu hình xác thực.",
            "The endpoint did not accept the access token. It may be wrong, expired or revoked: "
            "ask the ICT staff for a new one and store it in the authentication configuration.",
            status=401, detail=detail,
        )


class NotAllowedError(PublishError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Mã truy cập này không có quyền thực hiện thao tác này. Liên hệ bộ phận CNTT.",
            "This access token is not allowed to do this. Contact the ICT staff.",
            status=403, detail=detail,
        )


class StaleReleaseError(PublishError):
    """Someone else published since the officer's preview (409/412)."""

    def __init__(self, expected: Optional[str], current: Optional[str], status: int,
                 detail: str = "") -> None:
        super().__init__(
            "Người khác vừa công bố bản đồ (phiên bản hiện tại: "
            f"{current or 'không rõ'}, bạn bắt đầu từ {expected or 'bản trống'}). Không có gì bị "
            "ghi đè. Hãy làm mới, kiểm tra lại các thay đổi rồi công bố lại.",
            f"Someone else has published in the meantime (current release: {current or 'unknown'}"
            f", you started from {expected or 'an empty map'}). Nothing was overwritten. Refresh, "
            "check the changes again and publish again.",
            status=status, detail=detail,
        )
        self.current_release = current


class TooLargeError(PublishError):
    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(
            f"Dữ liệu quá lớn để máy chủ nhận ({what}). Giảm số đối tượng hoặc đơn giản hóa "
            "vùng, hoặc nhờ bộ phận CNTT nâng giới hạn.",
            f"The data is too large for the endpoint ({what}). Reduce the number of features or "
            "simplify the zones, or ask the ICT staff to raise the limit.",
            status=413, detail=detail,
        )


class RejectedError(PublishError):
    """The server's own checks refused the upload (400/422)."""

    def __init__(self, status: int, detail: str, errors: Sequence[str] = ()) -> None:
        listed = "; ".join(errors[:10])
        super().__init__(
            "Máy chủ từ chối dữ liệu: " + (listed or detail) + ". Sửa các lỗi này rồi công bố lại.",
            "The endpoint rejected the data: " + (listed or detail) + ". Fix these and publish "
            "again.",
            status=status,
        )
        self.errors: List[str] = list(errors)


class ServerError(PublishError):
    retryable = True

    def __init__(self, status: int, detail: str = "") -> None:
        busy = status == 429
        super().__init__(
            ("Máy chủ công bố đang quá tải" if busy else f"Máy chủ công bố gặp lỗi ({status})")
            + ". Thử lại sau ít phút; nếu vẫn lỗi, báo bộ phận CNTT. Bản đồ công khai không "
            "thay đổi.",
            ("The publishing endpoint is overloaded" if busy else
             f"The publishing endpoint failed ({status})")
            + ". Try again in a few minutes; if it persists, tell the ICT staff. The public map "
            "did not change.",
            status=status, detail=detail,
        )


class UnexpectedResponseError(PublishError):
    def __init__(self, status: int, what: str) -> None:
        super().__init__(
            f"Máy chủ công bố trả lời không như mong đợi ({status}, {what}). Kiểm tra địa chỉ "
            "máy chủ: có đúng là máy chủ CovidMaps không?",
            f"The publishing endpoint answered unexpectedly ({status}, {what}). Check the "
            "endpoint address: is it a CovidMaps endpoint?",
            status=status,
        )


class PublishCancelledError(PublishError):
    def __init__(self) -> None:
        super().__init__(
            "Đã huỷ công bố. Bản đồ công khai không thay đổi.",
            "Publishing cancelled. The public map did not change.",
        )


class ValidationBlockedError(PublishError):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"Dữ liệu còn {count} lỗi phải sửa trước khi công bố.",
            f"The data has {count} error(s) to fix before publishing.",
        )


class WarningsNotConfirmedError(PublishError):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"Dữ liệu có {count} cảnh báo: xác nhận đã xem các cảnh báo rồi công bố lại.",
            f"The data has {count} warning(s): confirm you have read them, then publish again.",
        )
