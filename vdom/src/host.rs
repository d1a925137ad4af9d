//! Services a render needs from the host application: translations, locale
//! formats, time zones, URL reversing, static files and the clock.
//!
//! The binding implements [`Host`] over Django (gettext, `get_format`,
//! `reverse`, `static`, `timezone`); [`DefaultHost`] gives Django's default
//! English settings so the engine works, and is tested, without Python.
use crate::error::{Error, Result};
use std::sync::{Arc, LazyLock, OnceLock};

use crate::value::{DateTime, TzInfo, Value};

/// What Django's `get_language_info` returns for a language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageInfo {
    /// The English name (`"German"`).
    pub name: String,
    /// The name in the language itself (`"Deutsch"`).
    pub name_local: String,
    /// Whether it is written right to left.
    pub bidi: bool,
}

/// Per-render services from the host. Every method has Django's
/// `global_settings` default for language `en-us`, time zone UTC.
pub trait Host: Send + Sync {
    /// `gettext(msgid)`.
    fn gettext(&self, msgid: &str) -> String {
        msgid.to_owned()
    }

    /// `pgettext(context, msgid)`.
    fn pgettext(&self, _context: &str, msgid: &str) -> String {
        msgid.to_owned()
    }

    /// `ngettext(singular, plural, n)`.
    fn ngettext(&self, singular: &str, plural: &str, n: i64) -> String {
        if n == 1 { singular } else { plural }.to_owned()
    }

    /// `npgettext(context, singular, plural, n)`.
    fn npgettext(&self, _context: &str, singular: &str, plural: &str, n: i64) -> String {
        self.ngettext(singular, plural, n)
    }

    /// The active language code (`get_language()`), e.g. `"en-us"`.
    fn language(&self) -> String {
        "en-us".to_owned()
    }

    /// Whether the active language is right-to-left.
    fn language_bidi(&self) -> bool {
        false
    }

    /// `django.utils.formats.get_format(name)` for the active language, as
    /// text: `DATE_FORMAT`, `DATETIME_FORMAT`, `TIME_FORMAT`,
    /// `SHORT_DATE_FORMAT`, `YEAR_MONTH_FORMAT`, `MONTH_DAY_FORMAT`,
    /// `DECIMAL_SEPARATOR`, `THOUSAND_SEPARATOR`, `NUMBER_GROUPING`,
    /// `FIRST_DAY_OF_WEEK`, and the setting `USE_THOUSAND_SEPARATOR`
    /// (`"True"`/`"False"`). `None` for names it does not know.
    fn format(&self, name: &str) -> Option<String> {
        default_format(name).map(str::to_owned)
    }

    /// The `settings` value of a format (`DECIMAL_SEPARATOR`,
    /// `DATE_FORMAT`, ...), which Django uses instead of the active
    /// language's when localisation is off (`{% localize off %}`,
    /// `unlocalize`, `floatformat:"2u"`). Same names as [`Host::format`].
    fn settings_format(&self, name: &str) -> Option<String> {
        // `global_settings.NUMBER_GROUPING` is 0; the `en` locale's is 3.
        match name {
            "NUMBER_GROUPING" => Some("0".to_owned()),
            _ => default_format(name).map(str::to_owned),
        }
    }

    /// The default time zone (`settings.TIME_ZONE`) at a naive local
    /// datetime: what Django assumes for naive values in the `O`, `T`, `Z`,
    /// `I`, `r` and `U` date formats and in the `timezone` filters.
    /// `None` when that local time is ambiguous or does not exist (a DST
    /// switch).
    fn default_zone(&self, _naive: &DateTime) -> Option<TzInfo> {
        Some(TzInfo {
            utc_offset: 0,
            name: Arc::from("UTC"),
            key: Some(Arc::from("UTC")),
            dst: Some(false),
        })
    }

    /// `translation.get_language_info(code)`: English name, local name
    /// and bidi flag. The default reads Django's `LANG_INFO` table (copied
    /// from Django 5.2); `None` is Django's `KeyError` (unknown code).
    fn language_info(&self, code: &str) -> Option<LanguageInfo> {
        crate::filters::language_info(code)
    }

    /// Whether output localisation is on (`{% localize off %}` turns it off
    /// per block; this is the global default).
    fn use_l10n(&self) -> bool {
        true
    }

    /// Whether aware datetimes are converted to the current time zone for
    /// display (`USE_TZ`).
    fn use_tz(&self) -> bool {
        false
    }

    /// Convert an aware datetime to the zone named (`None` = the current
    /// time zone), as `django.utils.timezone.localtime` does. Naive values
    /// are returned unchanged.
    fn localtime(&self, value: &DateTime, _zone: Option<&str>) -> Result<DateTime> {
        Ok(value.clone())
    }

    /// The `{% debug %}` output (unescaped) for the root context and the
    /// template's scoped names (innermost first), or `None` to let the
    /// engine print its own listing when its `debug` option is on. Django
    /// prints nothing unless `settings.DEBUG`, whatever the engine's option.
    fn debug_dump(&self, _root: &Value, _scoped: &[(Arc<str>, Value)]) -> Result<Option<String>> {
        Ok(None)
    }

    /// The current time, aware in the current zone when `USE_TZ`.
    fn now(&self) -> Result<DateTime> {
        Err(Error::render("this host has no clock"))
    }

    /// `reverse(name, args=..., kwargs=...)` for `{% url %}`.
    fn reverse(&self, name: &str, _args: &[Value], _kwargs: &[(String, Value)]) -> Result<String> {
        Err(Error::render(format!(
            "Reverse for '{name}' not found: this host has no URLconf"
        )))
    }

    /// `static(path)` for `{% static %}`.
    fn static_url(&self, path: &str) -> Result<String> {
        Ok(format!("/static/{path}"))
    }

    // The methods below were added by the template engine (additive, all
    // defaulted): the i18n, tz and static tags need them.

    /// `STATIC_URL` for `{% get_static_prefix %}`.
    fn static_prefix(&self) -> String {
        "/static/".to_owned()
    }

    /// `MEDIA_URL` for `{% get_media_prefix %}` (Django's default `""`
    /// is rendered as `/`).
    fn media_prefix(&self) -> String {
        "/".to_owned()
    }

    /// `settings.LANGUAGES` with translated names, for
    /// `{% get_available_languages %}`.
    fn available_languages(&self) -> Vec<(String, String)> {
        vec![("en".to_owned(), self.gettext("English"))]
    }

    /// `timezone.get_current_timezone_name()`.
    fn timezone_name(&self) -> String {
        "UTC".to_owned()
    }

    /// Run `body` with `code` as the active language (`{% language %}`,
    /// Django's `translation.override`). The engine also reports `code`
    /// from [`Host::language`] inside; the default just runs `body`.
    fn with_language(&self, _code: &str, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        body()
    }

    /// Run `body` with `zone` (a name, a host tzinfo object or `None`) as
    /// the current time zone (`{% timezone %}`, `timezone.override`). The
    /// engine also passes a zone name to [`Host::localtime`] inside; the
    /// default just runs `body`.
    fn with_timezone(&self, _zone: &Value, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        body()
    }

    /// The number formats, as [`Host::format`] (`use_l10n`) or
    /// [`Host::settings_format`] give them. Asked for every number a page
    /// shows: a host whose `format` is costly keeps the answer for the
    /// render (until [`Host::with_language`] changes the language).
    fn number_formats(&self, use_l10n: bool) -> Arc<NumberFormats> {
        Arc::new(NumberFormats::read(self, use_l10n))
    }
}

/// What `django.utils.formats.number_format` reads, for one render and
/// one localisation mode. Only `USE_THOUSAND_SEPARATOR` is read up front:
/// an integer shown without grouping needs nothing else, so the separators
/// and the grouping are asked for the first time a number needs them.
#[derive(Debug)]
pub struct NumberFormats {
    use_l10n: bool,
    use_thousand_separator: bool,
    decimal_separator: OnceLock<String>,
    grouping: OnceLock<Grouping>,
}

/// `NUMBER_GROUPING` and `THOUSAND_SEPARATOR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// One size, or a sequence like `(3, 2, 0)`; empty for none.
    pub sizes: Vec<usize>,
    /// `THOUSAND_SEPARATOR`.
    pub separator: String,
}

impl NumberFormats {
    /// Formats read through `host` (what the default
    /// [`Host::number_formats`] does): [`Host::format`] when `use_l10n`,
    /// else [`Host::settings_format`].
    pub fn read<H: Host + ?Sized>(host: &H, use_l10n: bool) -> Self {
        NumberFormats {
            use_l10n,
            use_thousand_separator: host.format("USE_THOUSAND_SEPARATOR").as_deref()
                == Some("True"),
            decimal_separator: OnceLock::new(),
            grouping: OnceLock::new(),
        }
    }

    /// `get_format(name)`: a name the host does not know stands for
    /// itself, as Django's `get_format` echoes unknown names.
    fn get<H: Host + ?Sized>(&self, host: &H, name: &str) -> String {
        let value = if self.use_l10n {
            host.format(name)
        } else {
            host.settings_format(name)
        };
        value.unwrap_or_else(|| name.to_owned())
    }

    /// `DECIMAL_SEPARATOR`, asked of `host` the first time.
    pub fn decimal_separator<H: Host + ?Sized>(&self, host: &H) -> &str {
        self.decimal_separator
            .get_or_init(|| self.get(host, "DECIMAL_SEPARATOR"))
    }

    /// `NUMBER_GROUPING` and `THOUSAND_SEPARATOR`, asked of `host` the
    /// first time.
    pub fn grouping<H: Host + ?Sized>(&self, host: &H) -> &Grouping {
        self.grouping.get_or_init(|| Grouping {
            sizes: self
                .get(host, "NUMBER_GROUPING")
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect(),
            separator: self.get(host, "THOUSAND_SEPARATOR"),
        })
    }

    /// Whether `number_format` groups digits: with localisation and
    /// `USE_THOUSAND_SEPARATOR`, or when forced, and a non-zero grouping.
    pub fn use_grouping<H: Host + ?Sized>(&self, host: &H, force_grouping: bool) -> bool {
        ((self.use_l10n && self.use_thousand_separator) || force_grouping)
            && self.grouping(host).sizes.iter().any(|g| *g != 0)
    }
}

/// Django's defaults for `en-us` and `UTC`, with no URLconf and no clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct DefaultHost;

impl Host for DefaultHost {
    fn number_formats(&self, use_l10n: bool) -> Arc<NumberFormats> {
        // Fixed answers (the trait's defaults): built once per process.
        static FORMATS: LazyLock<[Arc<NumberFormats>; 2]> = LazyLock::new(|| {
            [false, true].map(|l10n| Arc::new(NumberFormats::read(&DefaultHost, l10n)))
        });
        FORMATS[usize::from(use_l10n)].clone()
    }
}

/// Django's `global_settings` and `conf/locale/en/formats.py` values.
fn default_format(name: &str) -> Option<&'static str> {
    Some(match name {
        "DATE_FORMAT" => "N j, Y",
        "DATETIME_FORMAT" => "N j, Y, P",
        "TIME_FORMAT" => "P",
        "YEAR_MONTH_FORMAT" => "F Y",
        "MONTH_DAY_FORMAT" => "F j",
        "SHORT_DATE_FORMAT" => "m/d/Y",
        "SHORT_DATETIME_FORMAT" => "m/d/Y P",
        "FIRST_DAY_OF_WEEK" => "0",
        "DECIMAL_SEPARATOR" => ".",
        "THOUSAND_SEPARATOR" => ",",
        "NUMBER_GROUPING" => "3",
        "USE_THOUSAND_SEPARATOR" => "False",
        _ => return None,
    })
}
