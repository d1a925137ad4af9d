//! A [`Host`] seen through a block tag that changes one setting:
//! `{% localize %}`, `{% localtime %}`, `{% timezone %}`, `{% language %}`.
use crate::error::Result;
use crate::host::{Host, LanguageInfo};
use crate::value::{DateTime, TzInfo, Value};

/// The settings an enclosing tag overrides; everything else is the inner
/// host's.
pub(crate) struct Overlay<'a> {
    pub(crate) inner: &'a dyn Host,
    pub(crate) l10n: Option<bool>,
    pub(crate) tz: Option<bool>,
    pub(crate) zone: Option<String>,
    pub(crate) language: Option<String>,
}

impl<'a> Overlay<'a> {
    pub(crate) fn new(inner: &'a dyn Host) -> Self {
        Overlay {
            inner,
            l10n: None,
            tz: None,
            zone: None,
            language: None,
        }
    }
}

impl Host for Overlay<'_> {
    fn gettext(&self, msgid: &str) -> String {
        self.inner.gettext(msgid)
    }
    fn pgettext(&self, context: &str, msgid: &str) -> String {
        self.inner.pgettext(context, msgid)
    }
    fn ngettext(&self, singular: &str, plural: &str, n: i64) -> String {
        self.inner.ngettext(singular, plural, n)
    }
    fn npgettext(&self, context: &str, singular: &str, plural: &str, n: i64) -> String {
        self.inner.npgettext(context, singular, plural, n)
    }
    fn language(&self) -> String {
        match &self.language {
            Some(l) => l.clone(),
            None => self.inner.language(),
        }
    }
    fn language_bidi(&self) -> bool {
        self.inner.language_bidi()
    }
    fn format(&self, name: &str) -> Option<String> {
        self.inner.format(name)
    }
    fn use_l10n(&self) -> bool {
        self.l10n.unwrap_or_else(|| self.inner.use_l10n())
    }
    fn use_tz(&self) -> bool {
        self.tz.unwrap_or_else(|| self.inner.use_tz())
    }
    fn localtime(&self, value: &DateTime, zone: Option<&str>) -> Result<DateTime> {
        self.inner.localtime(value, zone.or(self.zone.as_deref()))
    }
    fn now(&self) -> Result<DateTime> {
        self.inner.now()
    }
    fn reverse(&self, name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Result<String> {
        self.inner.reverse(name, args, kwargs)
    }
    fn static_url(&self, path: &str) -> Result<String> {
        self.inner.static_url(path)
    }
    fn static_prefix(&self) -> String {
        self.inner.static_prefix()
    }
    fn media_prefix(&self) -> String {
        self.inner.media_prefix()
    }
    fn available_languages(&self) -> Vec<(String, String)> {
        self.inner.available_languages()
    }
    fn language_info(&self, code: &str) -> Option<LanguageInfo> {
        self.inner.language_info(code)
    }
    fn settings_format(&self, name: &str) -> Option<String> {
        self.inner.settings_format(name)
    }
    fn default_zone(&self, naive: &DateTime) -> Option<TzInfo> {
        self.inner.default_zone(naive)
    }
    fn timezone_name(&self) -> String {
        match &self.zone {
            Some(z) => z.clone(),
            None => self.inner.timezone_name(),
        }
    }
    fn with_language(&self, code: &str, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.inner.with_language(code, body)
    }
    fn with_timezone(&self, zone: &Value, body: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.inner.with_timezone(zone, body)
    }
}
