// The web map's own words (buttons, headings, messages). Everything about the
// data (layer titles, field labels, value labels) comes from the manifest.

const STRINGS = {
  vi: {
    app_title: 'Bản đồ thông tin dịch COVID-19',
    app_title_province: 'Bản đồ thông tin dịch COVID-19 tỉnh {name}',
    updated: 'Cập nhật',
    ago_minutes: '({n} phút trước)',
    ago_hours: '({n} giờ trước)',
    ago_days: '({n} ngày trước)',
    ago_now: '(vừa xong)',
    lang_toggle: 'EN',
    lang_toggle_label: 'Switch to English',
    toolbar: 'Công cụ',
    map: 'Bản đồ các điểm nguy cơ, cơ sở cách ly, vùng cách ly và chốt kiểm soát',
    tb_filters: 'Tìm, lọc',
    tb_list: 'Danh sách',
    tb_nearme: 'Gần tôi',
    tb_stats: 'Thống kê',
    tb_share: 'Chia sẻ',
    close: 'Đóng',
    legend: 'Chú giải',
    loading: 'Đang tải…',
    load_failed: 'Không tải được dữ liệu bản đồ. Kiểm tra kết nối mạng rồi thử lại.',
    layer_failed: 'Không tải được lớp này',
    retry: 'Thử lại',
    old_release: 'Bạn đang xem dữ liệu cũ, cập nhật {time}. Đây không phải dữ liệu hiện hành.',
    current_data: 'Xem dữ liệu hiện hành',
    bad_release: 'Không tìm thấy phiên bản dữ liệu "{id}".',
    search: 'Tìm theo tên hoặc địa chỉ',
    search_placeholder: 'Ví dụ: chợ, trường học…',
    district: 'Huyện/thành phố',
    all_districts: 'Toàn tỉnh',
    layers_statuses: 'Lớp và trạng thái',
    reset_filters: 'Bỏ lọc',
    results: 'Đang hiển thị {n} đối tượng.',
    no_results: 'Không có đối tượng nào khớp với bộ lọc.',
    list_hint: 'Chọn tên để xem trên bản đồ.',
    col_name: 'Tên',
    col_district: 'Huyện, TP',
    col_status: 'Trạng thái',
    col_detail: 'Thông tin chính',
    show_more: 'Xem thêm {n}',
    show_on_map: 'Xem trên bản đồ',
    nearme_intro: 'Tìm điểm có nguy cơ và vùng cách ly gần bạn. Vị trí của bạn chỉ được xử lý trên máy này, không gửi đi đâu.',
    radius: 'Trong bán kính',
    locate: 'Xác định vị trí của tôi',
    locating: 'Đang xác định vị trí…',
    geo_denied: 'Bạn chưa cho phép truy cập vị trí. Hãy bật quyền vị trí cho trang này trong trình duyệt rồi thử lại.',
    geo_unavailable: 'Không xác định được vị trí. Hãy thử lại ở nơi thoáng hoặc bật GPS.',
    geo_unsupported: 'Trình duyệt này không hỗ trợ xác định vị trí.',
    inside_zone: 'Bạn đang ở trong vùng cách ly y tế: {names}. Hãy tuân thủ hướng dẫn của chính quyền địa phương.',
    not_inside_zone: 'Bạn không ở trong vùng cách ly y tế nào.',
    nearby_count: 'Có {n} điểm nguy cơ/vùng cách ly trong bán kính {r}.',
    nearby_none: 'Không có điểm nguy cơ hay vùng cách ly nào trong bán kính {r}.',
    you_are_here: 'Vị trí của bạn',
    show_my_location: 'Hiện vị trí của tôi trên bản đồ',
    inside: 'bạn đang ở trong vùng',
    stats_title: 'Thống kê toàn tỉnh',
    stats_by_district: 'Số đối tượng theo huyện',
    total: 'Tổng',
    unknown_district: 'Chưa rõ',
    changes_title: 'So với lần công bố trước',
    changes_line: '{added} thêm, {removed} bỏ, {changed} sửa',
    release_info: 'Phiên bản dữ liệu {id}, công bố lúc {time}.',
    previous_release: 'Xem phiên bản trước',
    share_copied: 'Đã chép đường dẫn tới khung nhìn này.',
    share_manual: 'Chép đường dẫn dưới đây:',
    share_title: 'Chia sẻ',
    yes: 'Có',
    no: 'Không',
    phone_call: 'Gọi {phone}',
    popup_district: 'Huyện/thành phố',
    count_of: '{n} đối tượng',
    basemap_none: 'Không có bản đồ nền: ranh giới tỉnh và huyện.',
    notice_hotline: 'Đường dây nóng',
    notice_label: 'Hướng dẫn cho người dân',
    boundaries_approx: 'Ranh giới huyện minh hoạ, không chính xác',
    age_fresh: 'Trong {d} ngày qua',
    age_old: 'Đã qua hơn {d} ngày',
    basemap_failed: 'Không tải được bản đồ nền: chỉ có ranh giới tỉnh và huyện.',
    basemap_toggle: 'Hiện bản đồ nền (đường phố)',
    search_matches: 'Kết quả tìm kiếm',
    search_more: 'và {n} kết quả khác (xem Danh sách)',
  },
  en: {
    app_title: 'COVID-19 information map',
    app_title_province: 'COVID-19 information map of {name} province',
    updated: 'Updated',
    ago_minutes: '({n} min ago)',
    ago_hours: '({n} h ago)',
    ago_days: '({n} days ago)',
    ago_now: '(just now)',
    lang_toggle: 'VI',
    lang_toggle_label: 'Chuyển sang tiếng Việt',
    toolbar: 'Tools',
    map: 'Map of risk points, quarantine facilities, isolation zones and checkpoints',
    tb_filters: 'Search',
    tb_list: 'List',
    tb_nearme: 'Near me',
    tb_stats: 'Statistics',
    tb_share: 'Share',
    close: 'Close',
    legend: 'Legend',
    loading: 'Loading…',
    load_failed: 'Could not load the map data. Check your connection and try again.',
    layer_failed: 'Could not load this layer',
    retry: 'Try again',
    old_release: 'You are looking at earlier data, updated {time}. This is not the current data.',
    current_data: 'See the current data',
    bad_release: 'Release "{id}" was not found.',
    search: 'Search by name or address',
    search_placeholder: 'e.g. market, school…',
    district: 'District',
    all_districts: 'Whole province',
    layers_statuses: 'Layers and status',
    reset_filters: 'Clear filters',
    results: 'Showing {n} features.',
    no_results: 'No feature matches the filters.',
    list_hint: 'Choose a name to see it on the map.',
    col_name: 'Name',
    col_district: 'District',
    col_status: 'Status',
    col_detail: 'Key information',
    show_more: 'Show {n} more',
    show_on_map: 'Show on map',
    nearme_intro: 'Find risk points and isolation zones near you. Your location is used on this device only and is never sent anywhere.',
    radius: 'Within',
    locate: 'Find my location',
    locating: 'Finding your location…',
    geo_denied: 'Location access is not allowed. Allow location for this page in your browser, then try again.',
    geo_unavailable: 'Your location could not be found. Try again outdoors or turn on GPS.',
    geo_unsupported: 'This browser cannot find your location.',
    inside_zone: 'You are inside a medical isolation zone: {names}. Follow the local authorities\' instructions.',
    not_inside_zone: 'You are not inside any medical isolation zone.',
    nearby_count: '{n} risk points/isolation zones within {r}.',
    nearby_none: 'No risk point or isolation zone within {r}.',
    you_are_here: 'Your location',
    show_my_location: 'Show my location on the map',
    inside: 'you are inside',
    stats_title: 'Province statistics',
    stats_by_district: 'Features by district',
    total: 'Total',
    unknown_district: 'Unknown',
    changes_title: 'Since the previous publication',
    changes_line: '{added} added, {removed} removed, {changed} changed',
    release_info: 'Data release {id}, published {time}.',
    previous_release: 'See the previous release',
    share_copied: 'Link to this view copied.',
    share_manual: 'Copy the link below:',
    share_title: 'Share',
    yes: 'Yes',
    no: 'No',
    phone_call: 'Call {phone}',
    popup_district: 'District',
    count_of: '{n} features',
    basemap_none: 'No basemap: province and district boundaries.',
    notice_hotline: 'Hotline',
    notice_label: 'Advice for residents',
    boundaries_approx: 'Approximate district boundaries, not exact',
    age_fresh: 'Exposure in the last {d} days',
    age_old: 'Over {d} days ago',
    basemap_failed: 'The basemap could not load: province and district boundaries only.',
    basemap_toggle: 'Show the basemap (streets)',
    search_matches: 'Search results',
    search_more: 'and {n} more (see List)',
    search_more_one: 'and 1 more (see List)',
    results_one: 'Showing 1 feature.',
    nearby_count_one: '1 risk point or isolation zone within {r}.',
    count_of_one: '1 feature',
    ago_days_one: '(1 day ago)',
  },
};

export const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'covidmaps.lang';

let current = 'vi';

export function lang() {
  return current;
}

export function setLang(value) {
  current = LANGS.includes(value) ? value : 'vi';
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // private mode: the choice still lives in the URL
  }
  document.documentElement.lang = current;
}

/** The language to start with: the URL, then the remembered choice, then the
 * first of the browser's languages that we speak; Vietnamese otherwise. */
export function initialLang(fromUrl) {
  if (LANGS.includes(fromUrl)) return fromUrl;
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // storage blocked: fall through
  }
  for (const tag of navigator.languages || [navigator.language || '']) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'vi';
}

/** A UI string with {placeholders} filled in (values are plain text). */
export function t(key, params) {
  const table = STRINGS[current] || STRINGS.vi;
  // English nouns take a plural: a "{key}_one" text is used when n is 1
  const one = params && Number(params.n) === 1 ? table[`${key}_one`] : undefined;
  let text = one ?? table[key] ?? STRINGS.vi[key] ?? key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  }
  return text;
}

/** Pick the current language from a {vi, en} label of the manifest. */
export function pick(label) {
  if (label == null) return '';
  if (typeof label === 'string') return label;
  return label[current] ?? label.vi ?? label.en ?? '';
}

/** Words of a feature module (downloads.js, changes.js, offline.js), kept
 * beside its code; a key already defined here wins. */
export function extendStrings(extra) {
  for (const code of LANGS) {
    for (const [key, text] of Object.entries(extra[code] || {})) {
      if (!(key in STRINGS[code])) STRINGS[code][key] = text;
    }
  }
}
