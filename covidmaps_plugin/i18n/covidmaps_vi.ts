<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN" sourcelanguage="en_US">
    <context>
        <name>CovidMaps</name>
        <message>
            <source>  (on the public map)</source>
            <translation>  (đang công khai)</translation>
        </message>
        <message>
            <source>(choose)</source>
            <translation>(chọn)</translation>
        </message>
        <message>
            <source>(confirmed at an earlier publish)</source>
            <translation>(đã xác nhận ở lần công bố trước)</translation>
        </message>
        <message>
            <source>1 error must be fixed first.</source>
            <translation>Có 1 lỗi phải sửa trước khi công bố.</translation>
        </message>
        <message>
            <source>1 risk point marked as expired.</source>
            <translation>Đã chuyển 1 điểm nguy cơ sang «Hết thời hạn cảnh báo».</translation>
        </message>
        <message>
            <source>A workspace is one GeoPackage file holding the five layers of the epidemic map. Save it where it is backed up.</source>
            <translation>Vùng làm việc là một tệp GeoPackage chứa năm lớp dữ liệu của bản đồ dịch bệnh. Hãy lưu tệp ở nơi được sao lưu thường xuyên.</translation>
        </message>
        <message>
            <source>Access token</source>
            <translation>Mã truy cập</translation>
        </message>
        <message>
            <source>Add sample data</source>
            <translation>Thêm dữ liệu mẫu</translation>
        </message>
        <message>
            <source>Add sample data (for training, not for publishing)</source>
            <translation>Thêm dữ liệu mẫu (để tập huấn, không dùng để công bố)</translation>
        </message>
        <message>
            <source>Added. Save the layer's edits to keep it.</source>
            <translation>Đã thêm. Hãy lưu chỉnh sửa của lớp để giữ lại.</translation>
        </message>
        <message>
            <source>Advice in English</source>
            <translation>Lời khuyên bằng tiếng Anh</translation>
        </message>
        <message>
            <source>Advice in Vietnamese</source>
            <translation>Lời khuyên bằng tiếng Việt</translation>
        </message>
        <message>
            <source>Announce a level for several districts or communes at once</source>
            <translation>Công bố cấp độ dịch cho nhiều huyện, xã cùng lúc</translation>
        </message>
        <message>
            <source>Announce level</source>
            <translation>Công bố cấp độ</translation>
        </message>
        <message>
            <source>Announce the next levels…</source>
            <translation>Công bố cấp độ tiếp theo…</translation>
        </message>
        <message>
            <source>Applies from</source>
            <translation>Áp dụng từ ngày</translation>
        </message>
        <message>
            <source>Authentication configuration (token)</source>
            <translation>Cấu hình xác thực (mã truy cập)</translation>
        </message>
        <message>
            <source>Boundaries imported</source>
            <translation>Số ranh giới đã nhập</translation>
        </message>
        <message>
            <source>Bring the public map back to the data of release {0}? Citizens see it at once; the other releases stay in the history.</source>
            <translation>Đưa bản đồ công khai về dữ liệu của bản {0}? Người dân sẽ thấy ngay dữ liệu đó; các bản khác vẫn được giữ trong lịch sử.</translation>
        </message>
        <message>
            <source>Brings the public map back to the data of an earlier release, as a new release (no release is deleted). Current: the release on the map now (if someone published since, nothing changes).</source>
            <translation>Đưa bản đồ công khai về dữ liệu của một phiên bản trước, thành một phiên bản mới (không phiên bản nào bị xoá). Hiện tại: phiên bản đang trên bản đồ (nếu có người vừa công bố, không có gì thay đổi).</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Hủy</translation>
        </message>
        <message>
            <source>Cancelled.</source>
            <translation>Đã hủy.</translation>
        </message>
        <message>
            <source>Cannot read the province profile “{0}”: {1}</source>
            <translation>Không đọc được hồ sơ tỉnh “{0}”: {1}</translation>
        </message>
        <message>
            <source>Cannot read the time “{0}”; use ISO 8601, for example 2021-06-10T10:00:00+07:00.</source>
            <translation>Không đọc được thời điểm “{0}”; hãy nhập theo ISO 8601, ví dụ 2021-06-10T10:00:00+07:00.</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>Sức chứa</translation>
        </message>
        <message>
            <source>Changes on the public map</source>
            <translation>Thay đổi trên bản đồ công khai</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>Kiểm tra</translation>
        </message>
        <message>
            <source>Check after each edit</source>
            <translation>Tự kiểm tra sau mỗi lần sửa</translation>
        </message>
        <message>
            <source>Check again</source>
            <translation>Kiểm tra lại</translation>
        </message>
        <message>
            <source>Check cancelled.</source>
            <translation>Đã hủy kiểm tra.</translation>
        </message>
        <message>
            <source>Check every layer of the map now</source>
            <translation>Kiểm tra ngay mọi lớp của bản đồ</translation>
        </message>
        <message>
            <source>Check the map</source>
            <translation>Kiểm tra bản đồ</translation>
        </message>
        <message>
            <source>Checked at {0} · {1} features</source>
            <translation>Kiểm tra lúc {0} · {1} đối tượng</translation>
        </message>
        <message>
            <source>Checking the map…</source>
            <translation>Đang kiểm tra bản đồ…</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>Đang kiểm tra…</translation>
        </message>
        <message>
            <source>Checkpoint «{0}» disbanded.</source>
            <translation>Đã giải thể chốt «{0}».</translation>
        </message>
        <message>
            <source>Checks a CovidMaps workspace before publishing: geometry (GEOS validity, coordinates, province, areas, overlaps), attributes (required values, lists, ranges, dates, identifiers, duplicates), dates that hide features, and personal data in public fields.

Give the workspace file, or the layers. Now: an ISO 8601 time such as 2021-06-10T10:00:00+07:00 (default: the current time).
Errors block publishing; warnings need a confirmation. With “Fail when errors are found” the algorithm fails on errors, so a model stops there.</source>
            <translation>Kiểm tra vùng làm việc CovidMaps trước khi công bố: hình học (hợp lệ theo GEOS, tọa độ, phạm vi tỉnh, diện tích, chồng lấn), thuộc tính (giá trị bắt buộc, danh mục, khoảng giá trị, ngày tháng, mã định danh, trùng lặp), ngày tháng làm ẩn đối tượng, và thông tin cá nhân trong các trường công khai.

Chọn tệp vùng làm việc hoặc các lớp. Thời điểm kiểm tra: theo ISO 8601, ví dụ 2021-06-10T10:00:00+07:00 (mặc định: hiện tại).
Lỗi sẽ chặn việc công bố; cảnh báo cần được xác nhận. Khi chọn “Dừng lại nếu có lỗi”, thuật toán báo thất bại khi có lỗi để mô hình dừng tại đó.</translation>
        </message>
        <message>
            <source>Choose where to save the workspace file.</source>
            <translation>Hãy chọn nơi lưu tệp vùng làm việc.</translation>
        </message>
        <message>
            <source>Click a facility on the map to close it</source>
            <translation>Bấm vào điểm cách ly trên bản đồ để đóng điểm đó</translation>
        </message>
        <message>
            <source>Click a zone on the map to extend it</source>
            <translation>Bấm vào vùng cách ly trên bản đồ để gia hạn</translation>
        </message>
        <message>
            <source>Click the centre of the zone on the map (or select a point first).</source>
            <translation>Nhấp vào tâm vùng trên bản đồ (hoặc chọn trước một điểm).</translation>
        </message>
        <message>
            <source>Click the feature on the map: «{0}».</source>
            <translation>Nhấp vào đối tượng trên bản đồ: «{0}».</translation>
        </message>
        <message>
            <source>Click the map to add a disease-control checkpoint there</source>
            <translation>Nhấp trên bản đồ để thêm chốt kiểm soát dịch bệnh tại đó</translation>
        </message>
        <message>
            <source>Click the map to add a high-risk point there</source>
            <translation>Nhấp trên bản đồ để thêm điểm có nguy cơ lây nhiễm cao tại đó</translation>
        </message>
        <message>
            <source>Click the map to add a quarantine facility there</source>
            <translation>Nhấp trên bản đồ để thêm điểm cách ly tập trung tại đó</translation>
        </message>
        <message>
            <source>Click the place on the map; the form opens there.</source>
            <translation>Nhấp vào vị trí trên bản đồ; biểu mẫu sẽ mở ra tại đó.</translation>
        </message>
        <message>
            <source>Click “Check” to preview the changes.</source>
            <translation>Bấm “Kiểm tra” để xem trước các thay đổi.</translation>
        </message>
        <message>
            <source>Click “Save edits and check” to save them and check.</source>
            <translation>Bấm “Lưu chỉnh sửa và kiểm tra” để lưu rồi kiểm tra.</translation>
        </message>
        <message>
            <source>Click “Save edits and check”.</source>
            <translation>Bấm “Lưu chỉnh sửa và kiểm tra”.</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Đóng</translation>
        </message>
        <message>
            <source>Close quarantine facility</source>
            <translation>Đóng điểm cách ly</translation>
        </message>
        <message>
            <source>Close quarantine facility…</source>
            <translation>Đóng điểm cách ly…</translation>
        </message>
        <message>
            <source>Close the facility «{0}»: it leaves the public map.</source>
            <translation>Đóng cơ sở cách ly «{0}»: cơ sở sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>Close these {0} facilities: {1}. They leave the public map.</source>
            <translation>Đóng {0} cơ sở cách ly: {1}. Các cơ sở này sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>Closed on</source>
            <translation>Ngày đóng</translation>
        </message>
        <message>
            <source>Code field</source>
            <translation>Trường mã</translation>
        </message>
        <message>
            <source>Communes</source>
            <translation>Xã</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>Xác nhận</translation>
        </message>
        <message>
            <source>Could not create the workspace: {0}</source>
            <translation>Không tạo được vùng làm việc: {0}</translation>
        </message>
        <message>
            <source>Could not open the workspace: {0}</source>
            <translation>Không mở được vùng làm việc: {0}</translation>
        </message>
        <message>
            <source>Could not read the check's result: {0}</source>
            <translation>Không đọc được kết quả kiểm tra: {0}</translation>
        </message>
        <message>
            <source>Could not read the history: {0}</source>
            <translation>Không đọc được lịch sử: {0}</translation>
        </message>
        <message>
            <source>Could not save: </source>
            <translation>Không lưu được: </translation>
        </message>
        <message>
            <source>CovidMaps epidemic map tools</source>
            <translation>Công cụ bản đồ dịch bệnh CovidMaps</translation>
        </message>
        <message>
            <source>CovidMaps – map check</source>
            <translation>CovidMaps – kiểm tra bản đồ</translation>
        </message>
        <message>
            <source>CovidMaps: checking before publishing</source>
            <translation>CovidMaps: kiểm tra trước khi công bố</translation>
        </message>
        <message>
            <source>CovidMaps: checking the map</source>
            <translation>CovidMaps: đang kiểm tra bản đồ</translation>
        </message>
        <message>
            <source>CovidMaps: history</source>
            <translation>CovidMaps: tải lịch sử công bố</translation>
        </message>
        <message>
            <source>CovidMaps: publishing the map</source>
            <translation>CovidMaps: công bố bản đồ</translation>
        </message>
        <message>
            <source>CovidMaps: reading the units' boundaries</source>
            <translation>CovidMaps: đang đọc ranh giới các đơn vị</translation>
        </message>
        <message>
            <source>CovidMaps: rollback</source>
            <translation>CovidMaps: quay lại bản trước</translation>
        </message>
        <message>
            <source>Create</source>
            <translation>Tạo</translation>
        </message>
        <message>
            <source>Create a CovidMaps workspace: a GeoPackage with the five map layers</source>
            <translation>Tạo vùng làm việc CovidMaps: một tệp GeoPackage với năm lớp bản đồ</translation>
        </message>
        <message>
            <source>Create workspace</source>
            <translation>Tạo vùng làm việc</translation>
        </message>
        <message>
            <source>Create zone</source>
            <translation>Tạo vùng</translation>
        </message>
        <message>
            <source>Creates a CovidMaps workspace: one GeoPackage holding the five layers (high-risk points, quarantine facilities, medical isolation zones, checkpoints, epidemic levels by area) with their forms and styles, for one province.

Province profile: the id of a profile shipped with the plugin (for example bac_kan_2020) or the path of a profile JSON file.
An existing file is never overwritten.</source>
            <translation>Tạo vùng làm việc CovidMaps cho một tỉnh: một tệp GeoPackage chứa năm lớp dữ liệu (điểm có nguy cơ lây nhiễm cao, điểm cách ly tập trung, vùng cách ly y tế, chốt kiểm soát dịch bệnh, cấp độ dịch theo địa bàn) cùng biểu mẫu nhập liệu và kiểu hiển thị.

Hồ sơ tỉnh: mã của một hồ sơ có sẵn trong plugin (ví dụ bac_kan_2020) hoặc đường dẫn tới tệp hồ sơ JSON.
Tệp đã có sẽ không bao giờ bị ghi đè.</translation>
        </message>
        <message>
            <source>Creating workspace {0} for {1}</source>
            <translation>Đang tạo vùng làm việc {0} cho tỉnh {1}</translation>
        </message>
        <message>
            <source>Daily updates</source>
            <translation>Cập nhật hằng ngày</translation>
        </message>
        <message>
            <source>Decision no.</source>
            <translation>Số quyết định</translation>
        </message>
        <message>
            <source>Decision number</source>
            <translation>Số quyết định</translation>
        </message>
        <message>
            <source>Disband checkpoint</source>
            <translation>Giải thể chốt kiểm soát</translation>
        </message>
        <message>
            <source>Disband checkpoint…</source>
            <translation>Giải thể chốt kiểm soát…</translation>
        </message>
        <message>
            <source>Disband the checkpoint «{0}»: it leaves the public map.</source>
            <translation>Giải thể chốt «{0}»: chốt sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>Disband these {0} checkpoints: {1}. They leave the public map.</source>
            <translation>Giải thể {0} chốt: {1}. Các chốt này sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>District code field (communes only)</source>
            <translation>Trường mã huyện (chỉ với ranh giới xã)</translation>
        </message>
        <message>
            <source>District polygons (default: the workspace's)</source>
            <translation>Ranh giới huyện (mặc định: của vùng làm việc)</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>Huyện</translation>
        </message>
        <message>
            <source>Double-click a line to see the feature on the map.</source>
            <translation>Nhấp đúp vào một dòng để xem đối tượng trên bản đồ.</translation>
        </message>
        <message>
            <source>Draw a zone by hand; corners snap to administrative boundaries</source>
            <translation>Vẽ vùng cách ly bằng tay; các đỉnh bắt dính vào ranh giới hành chính</translation>
        </message>
        <message>
            <source>Draw an isolation zone</source>
            <translation>Vẽ vùng cách ly</translation>
        </message>
        <message>
            <source>Draw the zone: click its corners, right-click to finish. Corners snap to the administrative boundaries.</source>
            <translation>Vẽ vùng: nhấp vào từng đỉnh, nhấp chuột phải để kết thúc. Các đỉnh bắt dính vào ranh giới hành chính.</translation>
        </message>
        <message>
            <source>Ends</source>
            <translation>Kết thúc</translation>
        </message>
        <message>
            <source>Epidemic level by area</source>
            <translation>Cấp độ dịch theo địa bàn</translation>
        </message>
        <message>
            <source>Epidemic level by area…</source>
            <translation>Cấp độ dịch theo địa bàn…</translation>
        </message>
        <message>
            <source>Epidemic levels ending soon</source>
            <translation>Cấp độ dịch sắp hết hiệu lực</translation>
        </message>
        <message>
            <source>Errors</source>
            <translation>Lỗi</translation>
        </message>
        <message>
            <source>Errors must be fixed before publishing.</source>
            <translation>Phải sửa các lỗi trước khi công bố.</translation>
        </message>
        <message>
            <source>Expire risk points</source>
            <translation>Kết thúc cảnh báo điểm nguy cơ</translation>
        </message>
        <message>
            <source>Expire risk points past their date…</source>
            <translation>Kết thúc cảnh báo các điểm nguy cơ đã quá hạn…</translation>
        </message>
        <message>
            <source>Extend</source>
            <translation>Gia hạn</translation>
        </message>
        <message>
            <source>Extend isolation zone</source>
            <translation>Gia hạn vùng cách ly</translation>
        </message>
        <message>
            <source>Extend isolation zone…</source>
            <translation>Gia hạn vùng cách ly…</translation>
        </message>
        <message>
            <source>Extend the zone «{0}» to a later end.</source>
            <translation>Gia hạn vùng «{0}» đến thời điểm muộn hơn.</translation>
        </message>
        <message>
            <source>Extend these {0} zones to a later end: {1}.</source>
            <translation>Gia hạn {0} vùng đến thời điểm muộn hơn: {1}.</translation>
        </message>
        <message>
            <source>Extension decision</source>
            <translation>Quyết định gia hạn</translation>
        </message>
        <message>
            <source>Extension decision number</source>
            <translation>Số quyết định gia hạn</translation>
        </message>
        <message>
            <source>Facility</source>
            <translation>Cơ sở cách ly</translation>
        </message>
        <message>
            <source>Facility «{0}» closed on {1}: it leaves the public map at the next publish.</source>
            <translation>Đã đóng cơ sở «{0}» ngày {1}: cơ sở sẽ rời bản đồ công khai ở lần công bố tới.</translation>
        </message>
        <message>
            <source>Facility «{0}» closed.</source>
            <translation>Đã đóng cơ sở cách ly «{0}».</translation>
        </message>
        <message>
            <source>Fail when errors are found</source>
            <translation>Dừng lại nếu có lỗi</translation>
        </message>
        <message>
            <source>Feature</source>
            <translation>Đối tượng</translation>
        </message>
        <message>
            <source>Figures as of</source>
            <translation>Số liệu tính đến</translation>
        </message>
        <message>
            <source>Figures of «{0}» updated.</source>
            <translation>Đã cập nhật số liệu của «{0}».</translation>
        </message>
        <message>
            <source>Findings</source>
            <translation>Kết quả kiểm tra</translation>
        </message>
        <message>
            <source>Findings of the endpoint if it refuses the data</source>
            <translation>Các lỗi máy chủ công bố nêu nếu từ chối dữ liệu</translation>
        </message>
        <message>
            <source>First time: paste the access token the ICT staff gave you and click «Save token». It is stored encrypted in QGIS's authentication database (never in the settings) and chosen for you next time.</source>
            <translation>Lần đầu: dán mã truy cập do bộ phận CNTT cấp rồi bấm «Lưu mã». Mã được lưu mã hoá trong cơ sở dữ liệu xác thực của QGIS (không lưu trong cài đặt) và được chọn sẵn cho những lần sau.</translation>
        </message>
        <message>
            <source>Give a workspace file or at least one layer to validate.</source>
            <translation>Hãy chọn tệp vùng làm việc hoặc ít nhất một lớp để kiểm tra.</translation>
        </message>
        <message>
            <source>Give the layer of official boundaries.</source>
            <translation>Hãy chọn lớp ranh giới chính thức.</translation>
        </message>
        <message>
            <source>Goes into the publishing history (readable by anyone in the release).</source>
            <translation>Ghi vào lịch sử công bố (ai cũng đọc được trong bản phát hành).</translation>
        </message>
        <message>
            <source>History</source>
            <translation>Lịch sử</translation>
        </message>
        <message>
            <source>History (administrators)</source>
            <translation>Lịch sử (quản trị)</translation>
        </message>
        <message>
            <source>Hotline (e.g. 0209 3870 115)</source>
            <translation>Đường dây nóng (ví dụ 0209 3870 115)</translation>
        </message>
        <message>
            <source>Hotline: {0}</source>
            <translation>Đường dây nóng: {0}</translation>
        </message>
        <message>
            <source>I have read the warnings and want to publish</source>
            <translation>Tôi đã xem các cảnh báo và vẫn muốn công bố</translation>
        </message>
        <message>
            <source>I have read the {0} new warnings and want to publish</source>
            <translation>Tôi đã đọc {0} cảnh báo mới và muốn công bố</translation>
        </message>
        <message>
            <source>Idempotency key (a retry makes one release)</source>
            <translation>Khoá chống lặp (thử lại chỉ tạo một phiên bản)</translation>
        </message>
        <message>
            <source>Import official boundaries</source>
            <translation>Nhập ranh giới chính thức</translation>
        </message>
        <message>
            <source>In the layer, not saved yet: the figures of {0} facilities ({1}).</source>
            <translation>Đã ghi vào lớp, chưa lưu: số liệu của {0} cơ sở ({1}).</translation>
        </message>
        <message>
            <source>Information</source>
            <translation>Thông tin</translation>
        </message>
        <message>
            <source>Isolation zone around a point</source>
            <translation>Vùng cách ly quanh một điểm</translation>
        </message>
        <message>
            <source>Isolation zone from administrative units</source>
            <translation>Vùng cách ly theo đơn vị hành chính</translation>
        </message>
        <message>
            <source>Issuing authority</source>
            <translation>Cơ quan ban hành</translation>
        </message>
        <message>
            <source>Last figures</source>
            <translation>Số liệu gần nhất</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>Cấp</translation>
        </message>
        <message>
            <source>Level {0} announced for {1} unit(s); {2} previous level(s) end the day before. Save the layer's edits to keep them.</source>
            <translation>Đã công bố cấp {0} cho {1} đơn vị; {2} cấp độ trước kết thúc vào ngày hôm trước. Hãy lưu chỉnh sửa của lớp để giữ lại.</translation>
        </message>
        <message>
            <source>Levels ending soon…</source>
            <translation>Cấp độ sắp hết hiệu lực…</translation>
        </message>
        <message>
            <source>Lift</source>
            <translation>Dỡ bỏ</translation>
        </message>
        <message>
            <source>Lift isolation zone</source>
            <translation>Dỡ bỏ vùng cách ly</translation>
        </message>
        <message>
            <source>Lift isolation zone…</source>
            <translation>Dỡ bỏ vùng cách ly…</translation>
        </message>
        <message>
            <source>Lift or extend zones, close facilities, update figures</source>
            <translation>Dỡ bỏ hoặc gia hạn vùng cách ly, đóng cơ sở, cập nhật số liệu</translation>
        </message>
        <message>
            <source>Lift the zone «{0}»: it leaves the public map.</source>
            <translation>Dỡ bỏ vùng «{0}»: vùng sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>Lift these {0} zones: {1}. They leave the public map.</source>
            <translation>Dỡ bỏ {0} vùng: {1}. Các vùng này sẽ không còn trên bản đồ công khai.</translation>
        </message>
        <message>
            <source>Lifted at</source>
            <translation>Dỡ bỏ lúc</translation>
        </message>
        <message>
            <source>Lifting decision number</source>
            <translation>Số quyết định dỡ bỏ</translation>
        </message>
        <message>
            <source>List what must be fixed before publishing</source>
            <translation>Liệt kê những gì cần sửa trước khi công bố</translation>
        </message>
        <message>
            <source>Load the history, then select a release.</source>
            <translation>Hãy tải lịch sử rồi chọn một bản.</translation>
        </message>
        <message>
            <source>Make a circular zone of a radius in metres around a place</source>
            <translation>Tạo vùng cách ly hình tròn quanh một địa điểm, bán kính tính bằng mét</translation>
        </message>
        <message>
            <source>Make a zone from whole districts or communes</source>
            <translation>Tạo vùng cách ly gồm trọn các huyện hoặc xã</translation>
        </message>
        <message>
            <source>Measures in force</source>
            <translation>Biện pháp áp dụng</translation>
        </message>
        <message>
            <source>Name field</source>
            <translation>Trường tên</translation>
        </message>
        <message>
            <source>New CovidMaps workspace</source>
            <translation>Tạo vùng làm việc CovidMaps mới</translation>
        </message>
        <message>
            <source>New access token</source>
            <translation>Mã truy cập mới</translation>
        </message>
        <message>
            <source>New end</source>
            <translation>Hiệu lực đến (mới)</translation>
        </message>
        <message>
            <source>New workspace…</source>
            <translation>Tạo vùng làm việc mới…</translation>
        </message>
        <message>
            <source>No</source>
            <translation>Không</translation>
        </message>
        <message>
            <source>No CovidMaps workspace is open.</source>
            <translation>Chưa mở vùng làm việc CovidMaps nào.</translation>
        </message>
        <message>
            <source>No errors or warnings.</source>
            <translation>Không có lỗi hay cảnh báo.</translation>
        </message>
        <message>
            <source>No errors: check the warnings, then publish.</source>
            <translation>Không có lỗi: xem lại các cảnh báo rồi công bố.</translation>
        </message>
        <message>
            <source>No problems found: the map can be published.</source>
            <translation>Không phát hiện vấn đề: có thể công bố bản đồ.</translation>
        </message>
        <message>
            <source>No risk point has passed its visible-until date.</source>
            <translation>Không có điểm nguy cơ nào đã quá thời hạn hiển thị.</translation>
        </message>
        <message>
            <source>No unit's epidemic level ends in the next {0} days.</source>
            <translation>Không có đơn vị nào hết hiệu lực cấp độ dịch trong {0} ngày tới.</translation>
        </message>
        <message>
            <source>Notes</source>
            <translation>Ghi chú</translation>
        </message>
        <message>
            <source>Nothing of «{0}» there: click on the feature itself.</source>
            <translation>Chỗ này không có đối tượng nào của lớp «{0}»: hãy nhấp đúng vào đối tượng.</translation>
        </message>
        <message>
            <source>Now (ISO 8601, default: the current time)</source>
            <translation>Thời điểm kiểm tra (ISO 8601, mặc định: hiện tại)</translation>
        </message>
        <message>
            <source>Official boundaries (polygons)</source>
            <translation>Ranh giới chính thức (vùng)</translation>
        </message>
        <message>
            <source>Once published, the map will say “Updated {0}”.</source>
            <translation>Sau khi công bố, bản đồ sẽ ghi “Cập nhật {0}”.</translation>
        </message>
        <message>
            <source>Open CovidMaps workspace</source>
            <translation>Mở vùng làm việc CovidMaps</translation>
        </message>
        <message>
            <source>Open an existing CovidMaps workspace in the current project</source>
            <translation>Mở một vùng làm việc CovidMaps có sẵn vào dự án hiện tại</translation>
        </message>
        <message>
            <source>Open form</source>
            <translation>Mở biểu mẫu</translation>
        </message>
        <message>
            <source>Open the attribute form of the selected feature</source>
            <translation>Mở biểu mẫu thuộc tính của đối tượng đang chọn</translation>
        </message>
        <message>
            <source>Open the workspace in the current project</source>
            <translation>Mở vùng làm việc trong dự án hiện tại</translation>
        </message>
        <message>
            <source>Open workspace…</source>
            <translation>Mở vùng làm việc…</translation>
        </message>
        <message>
            <source>Other edits of the layer came after: undo with Ctrl+Z (or Edit → Undo) in order.</source>
            <translation>Lớp đã có chỉnh sửa khác sau đó: hãy hoàn tác lần lượt bằng Ctrl+Z (hoặc Chỉnh sửa → Hoàn tác).</translation>
        </message>
        <message>
            <source>Paste the token from the ICT staff</source>
            <translation>Dán mã do bộ phận CNTT cấp</translation>
        </message>
        <message>
            <source>People in quarantine</source>
            <translation>Số người đang cách ly</translation>
        </message>
        <message>
            <source>People now in «{0}» (capacity {1}).</source>
            <translation>Số người hiện đang cách ly tại «{0}» (sức chứa {1}).</translation>
        </message>
        <message>
            <source>Place a checkpoint</source>
            <translation>Đặt chốt kiểm soát</translation>
        </message>
        <message>
            <source>Place a high-risk point</source>
            <translation>Đặt điểm có nguy cơ cao</translation>
        </message>
        <message>
            <source>Place a quarantine facility</source>
            <translation>Đặt điểm cách ly tập trung</translation>
        </message>
        <message>
            <source>Press “Check again” to check the map.</source>
            <translation>Nhấn «Kiểm tra lại» để kiểm tra bản đồ.</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>Xem trước</translation>
        </message>
        <message>
            <source>Preview a publish</source>
            <translation>Xem trước khi công bố</translation>
        </message>
        <message>
            <source>Previewed blobs (JSON layer -&gt; sha256; publish only if the export is the same)</source>
            <translation>Dữ liệu đã xem trước (JSON lớp -&gt; sha256; chỉ công bố nếu dữ liệu xuất vẫn như vậy)</translation>
        </message>
        <message>
            <source>Previewed blobs must be a JSON object.</source>
            <translation>Dữ liệu đã xem trước phải là một đối tượng JSON.</translation>
        </message>
        <message>
            <source>Previewed release (publish only on top of it)</source>
            <translation>Phiên bản đã xem trước (chỉ công bố tiếp sau phiên bản này)</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>Vấn đề</translation>
        </message>
        <message>
            <source>Processing algorithm {0} is not available.</source>
            <translation>Không tìm thấy thuật toán xử lý {0}.</translation>
        </message>
        <message>
            <source>Province</source>
            <translation>Tỉnh</translation>
        </message>
        <message>
            <source>Province outline (default: the workspace's)</source>
            <translation>Ranh giới tỉnh (mặc định: của vùng làm việc)</translation>
        </message>
        <message>
            <source>Province profile</source>
            <translation>Hồ sơ tỉnh</translation>
        </message>
        <message>
            <source>Province profile (when no workspace is given)</source>
            <translation>Hồ sơ tỉnh (khi không chọn vùng làm việc)</translation>
        </message>
        <message>
            <source>Public map URL</source>
            <translation>Địa chỉ bản đồ công khai</translation>
        </message>
        <message>
            <source>Publish</source>
            <translation>Công bố</translation>
        </message>
        <message>
            <source>Publish despite validation warnings</source>
            <translation>Vẫn công bố dù có cảnh báo kiểm tra dữ liệu</translation>
        </message>
        <message>
            <source>Publish the epidemic map</source>
            <translation>Công bố bản đồ dịch tễ</translation>
        </message>
        <message>
            <source>Publish the map</source>
            <translation>Công bố bản đồ</translation>
        </message>
        <message>
            <source>Published release {0}</source>
            <translation>Đã công bố bản {0}</translation>
        </message>
        <message>
            <source>Published release {0}: {1}</source>
            <translation>Đã công bố bản {0}: {1}</translation>
        </message>
        <message>
            <source>Published.</source>
            <translation>Đã công bố.</translation>
        </message>
        <message>
            <source>Publishing</source>
            <translation>Công bố</translation>
        </message>
        <message>
            <source>Publishing endpoint</source>
            <translation>Máy chủ công bố</translation>
        </message>
        <message>
            <source>Publishing endpoint URL</source>
            <translation>Địa chỉ máy chủ công bố</translation>
        </message>
        <message>
            <source>Publishing is blocked</source>
            <translation>Bị chặn công bố</translation>
        </message>
        <message>
            <source>Publishing…</source>
            <translation>Đang công bố…</translation>
        </message>
        <message>
            <source>Publish…</source>
            <translation>Công bố…</translation>
        </message>
        <message>
            <source>Radius</source>
            <translation>Bán kính</translation>
        </message>
        <message>
            <source>Reference code: {0} (the same in saved reports and in Processing).</source>
            <translation>Mã tham chiếu: {0} (giống trong báo cáo đã lưu và trong Processing).</translation>
        </message>
        <message>
            <source>Refresh and check again</source>
            <translation>Làm mới và kiểm tra lại</translation>
        </message>
        <message>
            <source>Refused by the endpoint: </source>
            <translation>Máy chủ công bố từ chối: </translation>
        </message>
        <message>
            <source>Release</source>
            <translation>Bản phát hành</translation>
        </message>
        <message>
            <source>Release history</source>
            <translation>Lịch sử phiên bản</translation>
        </message>
        <message>
            <source>Release id</source>
            <translation>Mã bản phát hành</translation>
        </message>
        <message>
            <source>Release message</source>
            <translation>Lời nhắn bản phát hành</translation>
        </message>
        <message>
            <source>Release note</source>
            <translation>Ghi chú bản phát hành</translation>
        </message>
        <message>
            <source>Release on the map now</source>
            <translation>Phiên bản đang trên bản đồ</translation>
        </message>
        <message>
            <source>Release to bring back</source>
            <translation>Phiên bản cần đưa trở lại</translation>
        </message>
        <message>
            <source>Reload history</source>
            <translation>Tải lại lịch sử</translation>
        </message>
        <message>
            <source>Replaces the district (or commune, or province) polygons of a workspace with the province's official boundaries: a shapefile or GeoPackage layer in any coordinate reference system, with one polygon per unit.

Code field: the GSO code (3 digits for districts, 5 for communes; numbers are padded). Every code of the profile must be present once; nothing is written when a code is unknown, missing or repeated, or a polygon is invalid.
Until this step has run, the public map says that its district boundaries are approximate.</source>
            <translation>Thay ranh giới huyện (hoặc xã, hoặc tỉnh) của vùng làm việc bằng ranh giới chính thức của tỉnh: một lớp shapefile hoặc GeoPackage ở hệ tọa độ bất kỳ, mỗi đơn vị một vùng.

Trường mã: mã GSO (3 chữ số với huyện, 5 chữ số với xã; số được thêm số 0 phía trước). Mỗi mã trong hồ sơ tỉnh phải có đúng một lần; không ghi gì khi có mã lạ, thiếu hoặc trùng, hay có vùng không hợp lệ.
Khi chưa chạy bước này, bản đồ công khai ghi rõ ranh giới huyện chỉ là minh hoạ.</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>Báo cáo</translation>
        </message>
        <message>
            <source>Roll back</source>
            <translation>Quay lại bản này</translation>
        </message>
        <message>
            <source>Roll back the public map</source>
            <translation>Quay lại phiên bản trước của bản đồ công khai</translation>
        </message>
        <message>
            <source>Roll back to selected</source>
            <translation>Quay lại bản đã chọn</translation>
        </message>
        <message>
            <source>Rolled back to {0}: new release {1}.</source>
            <translation>Đã quay lại {0}: phiên bản mới {1}.</translation>
        </message>
        <message>
            <source>Rolled back to {0}: the public map shows the new release {1} holding the data of {0}.</source>
            <translation>Đã quay lại bản {0}: bản đồ công khai hiện bản mới {1} với dữ liệu của bản {0}.</translation>
        </message>
        <message>
            <source>Rolling back to {0}…</source>
            <translation>Đang quay lại bản {0}…</translation>
        </message>
        <message>
            <source>Save</source>
            <translation>Lưu</translation>
        </message>
        <message>
            <source>Save edits and check</source>
            <translation>Lưu chỉnh sửa và kiểm tra</translation>
        </message>
        <message>
            <source>Save the layer's edits to keep it.</source>
            <translation>Hãy lưu chỉnh sửa của lớp để giữ lại thay đổi.</translation>
        </message>
        <message>
            <source>Save the workspace as</source>
            <translation>Lưu vùng làm việc thành</translation>
        </message>
        <message>
            <source>Save token</source>
            <translation>Lưu mã</translation>
        </message>
        <message>
            <source>Save your edits before publishing: </source>
            <translation>Hãy lưu các chỉnh sửa trước khi công bố: </translation>
        </message>
        <message>
            <source>Saved in the workspace: the figures of {0} facilities ({1}).</source>
            <translation>Đã lưu vào vùng làm việc: số liệu của {0} cơ sở ({1}).</translation>
        </message>
        <message>
            <source>Saved your edits ({0}); checking…</source>
            <translation>Đã lưu chỉnh sửa ({0}); đang kiểm tra…</translation>
        </message>
        <message>
            <source>Scheme</source>
            <translation>Thang cấp độ</translation>
        </message>
        <message>
            <source>Set hotline and advice of the public map</source>
            <translation>Đặt đường dây nóng và lời khuyên trên bản đồ công khai</translation>
        </message>
        <message>
            <source>The access token comes from the {0} environment variable.</source>
            <translation>Mã truy cập được lấy từ biến môi trường {0}.</translation>
        </message>
        <message>
            <source>The access token is stored in QGIS's authentication database and chosen for next time.</source>
            <translation>Đã lưu mã truy cập vào cơ sở dữ liệu xác thực của QGIS và chọn sẵn cho lần sau.</translation>
        </message>
        <message>
            <source>The active risk point «{0}» has passed its visible-until date. Mark it as expired?</source>
            <translation>Điểm nguy cơ «{0}» đang cảnh báo đã qua ngày «Hiển thị đến». Chuyển sang hết hạn?</translation>
        </message>
        <message>
            <source>The check failed.</source>
            <translation>Kiểm tra không chạy được.</translation>
        </message>
        <message>
            <source>The current project has unsaved changes, so the new workspace was not opened. Save the project, then use “Open workspace…”.</source>
            <translation>Dự án hiện tại có thay đổi chưa lưu nên vùng làm việc mới chưa được mở. Hãy lưu dự án rồi dùng “Mở vùng làm việc…”.</translation>
        </message>
        <message>
            <source>The endpoint refused the data: see the {0} problem(s) under Validation. The public map did not change. Fix them, then check again.</source>
            <translation>Máy chủ công bố từ chối dữ liệu: xem {0} lỗi trong mục Kết quả kiểm tra dữ liệu. Bản đồ công khai không thay đổi. Hãy sửa rồi kiểm tra lại.</translation>
        </message>
        <message>
            <source>The extension decision number goes into the zone's «source document» as you type it; leave it empty if there is none yet.</source>
            <translation>Số quyết định gia hạn được ghi vào «Văn bản, thông báo» của vùng ngay khi gõ; để trống nếu chưa có.</translation>
        </message>
        <message>
            <source>The level of these units ends within {0} days and no next level is announced yet.</source>
            <translation>Cấp độ của các đơn vị sau hết hiệu lực trong vòng {0} ngày và chưa có cấp độ tiếp theo.</translation>
        </message>
        <message>
            <source>The public map has no data yet.</source>
            <translation>Bản đồ công khai chưa có dữ liệu.</translation>
        </message>
        <message>
            <source>The public map shows release {0} (published {1}).</source>
            <translation>Bản đồ công khai đang hiện bản {0} (công bố lúc {1}).</translation>
        </message>
        <message>
            <source>The public map shows the province's hotline and one line of advice under its header, on the first screen. They are stored in the workspace and sent with the next publish. Leave a text empty to keep it as it is.</source>
            <translation>Bản đồ công khai hiển thị đường dây nóng của tỉnh và một dòng lời khuyên ngay dưới tiêu đề, ở màn hình đầu tiên. Chúng được lưu trong vùng làm việc và gửi đi ở lần công bố tiếp theo. Để trống một mục để giữ nguyên nội dung cũ.</translation>
        </message>
        <message>
            <source>The releases of the public map, newest first (who, when, what changed), as a JSON file.</source>
            <translation>Các phiên bản của bản đồ công khai, mới nhất trước (ai, khi nào, thay đổi gì), dưới dạng tệp JSON.</translation>
        </message>
        <message>
            <source>The selected release is already on the public map.</source>
            <translation>Bản đã chọn đang được công khai.</translation>
        </message>
        <message>
            <source>The top release is on the public map. To bring back an earlier one, select it and click “Roll back to selected” (no release is deleted).</source>
            <translation>Bản trên cùng là bản đang công khai. Để đưa bản đồ công khai về một bản trước, chọn bản đó rồi bấm “Quay lại bản đã chọn” (không bản nào bị xoá).</translation>
        </message>
        <message>
            <source>The zone is a circle around the chosen place; the radius is measured on the ground, in metres.</source>
            <translation>Vùng là hình tròn quanh địa điểm đã chọn; bán kính đo trên mặt đất, tính bằng mét.</translation>
        </message>
        <message>
            <source>This place is outside the province's districts: check the location.</source>
            <translation>Địa điểm này nằm ngoài các huyện của tỉnh: hãy kiểm tra lại vị trí.</translation>
        </message>
        <message>
            <source>This workspace has no epidemic levels layer; reopen it to upgrade.</source>
            <translation>Vùng làm việc này chưa có lớp cấp độ dịch; hãy mở lại để nâng cấp.</translation>
        </message>
        <message>
            <source>Tick all</source>
            <translation>Chọn tất cả</translation>
        </message>
        <message>
            <source>Tick the districts or communes the decision puts under isolation. The zone is their combined area.</source>
            <translation>Đánh dấu các huyện hoặc xã mà quyết định áp dụng cách ly. Vùng cách ly là toàn bộ diện tích của chúng.</translation>
        </message>
        <message>
            <source>Tick the units selected on the map</source>
            <translation>Chọn các đơn vị đang chọn trên bản đồ</translation>
        </message>
        <message>
            <source>Tick the units the decision covers (or select them on the map), then the level, the decision and the day it applies from. The level in force ends the day before; the history is kept.</source>
            <translation>Đánh dấu các đơn vị trong quyết định (hoặc chọn trên bản đồ), rồi chọn cấp độ, số quyết định và ngày áp dụng. Cấp độ đang áp dụng kết thúc vào ngày hôm trước; lịch sử được giữ lại.</translation>
        </message>
        <message>
            <source>Today's capacity and occupancy of every facility in one table</source>
            <translation>Công suất và số người đang cách ly hôm nay của mọi điểm cách ly trong một bảng</translation>
        </message>
        <message>
            <source>Today's figures</source>
            <translation>Số liệu hôm nay</translation>
        </message>
        <message>
            <source>Type today's figures of each facility: Enter goes to the next facility. Each facility's figures go into the layer as soon as you leave its cell (one undo step each); Publish and Check the map take the number you are still typing. Facilities whose figures change get the time below as their “figures as of”.</source>
            <translation>Nhập số liệu hôm nay của từng cơ sở: phím Enter chuyển sang cơ sở tiếp theo. Số liệu của mỗi cơ sở được ghi vào lớp ngay khi rời ô (mỗi cơ sở một bước hoàn tác); Công bố và Kiểm tra bản đồ lấy cả con số đang nhập dở. Cơ sở có số liệu thay đổi sẽ ghi «số liệu tính đến» là thời điểm dưới đây.</translation>
        </message>
        <message>
            <source>Undo</source>
            <translation>Hoàn tác</translation>
        </message>
        <message>
            <source>Undone: «{0}» is as it was.</source>
            <translation>Đã hoàn tác: «{0}» trở lại như trước.</translation>
        </message>
        <message>
            <source>Units</source>
            <translation>Đơn vị</translation>
        </message>
        <message>
            <source>Units whose epidemic level ends within the next days</source>
            <translation>Các đơn vị có cấp độ dịch sắp hết hiệu lực</translation>
        </message>
        <message>
            <source>Unsaved edits: </source>
            <translation>Có chỉnh sửa chưa lưu: </translation>
        </message>
        <message>
            <source>Until</source>
            <translation>Đến ngày</translation>
        </message>
        <message>
            <source>Update of {0}</source>
            <translation>Cập nhật ngày {0}</translation>
        </message>
        <message>
            <source>Update quarantine figures…</source>
            <translation>Cập nhật số người cách ly…</translation>
        </message>
        <message>
            <source>Validate workspace</source>
            <translation>Kiểm tra vùng làm việc</translation>
        </message>
        <message>
            <source>Validate, preview the changes and publish the public map</source>
            <translation>Kiểm tra dữ liệu, xem trước các thay đổi và công bố bản đồ công khai</translation>
        </message>
        <message>
            <source>Validates and exports the workspace and compares it with the public map, without sending anything: the findings, the release on the map now and what a publish would change, as a JSON file.</source>
            <translation>Kiểm tra và xuất vùng làm việc, so sánh với bản đồ công khai mà không gửi gì: các phát hiện, phiên bản đang trên bản đồ và những gì một lần công bố sẽ thay đổi, dưới dạng tệp JSON.</translation>
        </message>
        <message>
            <source>Validates the workspace, exports the approved and currently visible features (public fields only) and publishes them as a new release of the public map. Layers the endpoint already has are not uploaded again.

Token: an authentication configuration (Basic: password = token), or the COVIDMAPS_TOKEN environment variable when none is given.
If someone else published meanwhile, nothing is overwritten: run it again.</source>
            <translation>Kiểm tra vùng làm việc, xuất các đối tượng đã duyệt và đang hiển thị (chỉ các trường công khai) rồi công bố thành một bản phát hành mới của bản đồ công khai. Các lớp máy chủ đã có sẽ không được tải lên lại.

Mã truy cập: một cấu hình xác thực (Basic: mật khẩu = mã truy cập), hoặc biến môi trường COVIDMAPS_TOKEN khi không chọn cấu hình.
Nếu có người khác vừa công bố, không có gì bị ghi đè: hãy chạy lại.</translation>
        </message>
        <message>
            <source>Validation</source>
            <translation>Kết quả kiểm tra dữ liệu</translation>
        </message>
        <message>
            <source>Warnings</source>
            <translation>Cảnh báo</translation>
        </message>
        <message>
            <source>Will NOT be published, not approved ({0} × {1}): {2}</source>
            <translation>Sẽ KHÔNG công bố vì chưa duyệt ({0} {1}): {2}</translation>
        </message>
        <message>
            <source>Workspace</source>
            <translation>Vùng làm việc</translation>
        </message>
        <message>
            <source>Workspace created: {0}</source>
            <translation>Đã tạo vùng làm việc: {0}</translation>
        </message>
        <message>
            <source>Workspace file</source>
            <translation>Tệp vùng làm việc</translation>
        </message>
        <message>
            <source>Workspace opened: {0}</source>
            <translation>Đã mở vùng làm việc: {0}</translation>
        </message>
        <message>
            <source>Yes</source>
            <translation>Có</translation>
        </message>
        <message>
            <source>Zone around a point…</source>
            <translation>Vùng quanh một điểm…</translation>
        </message>
        <message>
            <source>Zone from districts or communes…</source>
            <translation>Vùng theo huyện/xã…</translation>
        </message>
        <message>
            <source>Zone «{0}» extended to {1} ({2} more days).</source>
            <translation>Đã gia hạn vùng «{0}» đến {1} (thêm {2} ngày).</translation>
        </message>
        <message>
            <source>Zone «{0}» extended to {1}.</source>
            <translation>Đã gia hạn vùng «{0}» đến {1}.</translation>
        </message>
        <message>
            <source>Zone «{0}» lifted.</source>
            <translation>Đã dỡ bỏ vùng «{0}».</translation>
        </message>
        <message>
            <source>and {0} more</source>
            <translation>và {0} đối tượng khác</translation>
        </message>
        <message>
            <source>created empty</source>
            <translation>khởi tạo, chưa có dữ liệu</translation>
        </message>
        <message>
            <source>e.g. 123/QĐ-UBND</source>
            <translation>ví dụ 123/QĐ-UBND</translation>
        </message>
        <message>
            <source>e.g. 1877/QĐ-BCĐ</source>
            <translation>ví dụ 1877/QĐ-BCĐ</translation>
        </message>
        <message>
            <source>e.g. 25/11 update: 3 new risk points</source>
            <translation>VD: Cập nhật ngày 25/11: thêm 3 điểm nguy cơ</translation>
        </message>
        <message>
            <source>level {0} since {1}</source>
            <translation>cấp {0} từ {1}</translation>
        </message>
        <message>
            <source>published</source>
            <translation>công bố</translation>
        </message>
        <message>
            <source>rollback</source>
            <translation>quay lại</translation>
        </message>
        <message>
            <source>{0} active risk points have passed their visible-until date. Mark them as expired?</source>
            <translation>{0} điểm nguy cơ đang cảnh báo đã qua ngày «Hiển thị đến». Chuyển các điểm này sang hết hạn?</translation>
        </message>
        <message>
            <source>{0} boundaries imported into {1}.</source>
            <translation>Đã nhập {0} ranh giới vào {1}.</translation>
        </message>
        <message>
            <source>{0} checkpoints disbanded: {1}.</source>
            <translation>Đã giải thể {0} chốt: {1}.</translation>
        </message>
        <message>
            <source>{0} errors block publishing; see the findings and the report.</source>
            <translation>Có {0} lỗi chặn việc công bố; hãy xem kết quả kiểm tra và báo cáo.</translation>
        </message>
        <message>
            <source>{0} errors must be fixed first.</source>
            <translation>Có {0} lỗi phải sửa trước khi công bố.</translation>
        </message>
        <message>
            <source>{0} facilities closed: {1}.</source>
            <translation>Đã đóng {0} cơ sở cách ly: {1}.</translation>
        </message>
        <message>
            <source>{0} is not a CovidMaps workspace (no province profile): {1}</source>
            <translation>{0} không phải vùng làm việc CovidMaps (không có hồ sơ tỉnh): {1}</translation>
        </message>
        <message>
            <source>{0} is not a CovidMaps workspace.</source>
            <translation>{0} không phải là vùng làm việc CovidMaps.</translation>
        </message>
        <message>
            <source>{0} releases; the top one is on the public map.</source>
            <translation>{0} bản trong lịch sử; bản trên cùng đang được công khai.</translation>
        </message>
        <message>
            <source>{0} risk points marked as expired.</source>
            <translation>Đã chuyển {0} điểm nguy cơ sang «Hết thời hạn cảnh báo».</translation>
        </message>
        <message>
            <source>{0} zones extended to {2}: {1}.</source>
            <translation>Đã gia hạn {0} vùng đến {2}: {1}.</translation>
        </message>
        <message>
            <source>{0} zones lifted: {1}.</source>
            <translation>Đã dỡ bỏ {0} vùng: {1}.</translation>
        </message>
        <message>
            <source>{0}: level {1} ends on {2} ({3})</source>
            <translation>{0}: cấp {1} hết hiệu lực ngày {2} ({3})</translation>
        </message>
        <message>
            <source>“{0}” is too long: at most {1} characters.</source>
            <translation>“{0}” quá dài: tối đa {1} ký tự.</translation>
        </message>
        <message>
            <source>… and {0} more errors: see the findings and the report.</source>
            <translation>… và {0} lỗi khác: hãy xem kết quả kiểm tra và báo cáo.</translation>
        </message>
    </context>
</TS>
