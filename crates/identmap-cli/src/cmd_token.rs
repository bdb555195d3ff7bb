//! `identmap token decode`: the header and claims of a token, as admins check them by hand.

use std::process::ExitCode;

use identmap_cli::input::read_source;
use identmap_sso::Token;

/// `identmap token decode TOKEN|FILE|-`: the header and the claims as JSON. Exit 0, or 2 when
/// the token does not read (the message names the part and the offset).
pub(crate) fn decode(arg: &str) -> Result<ExitCode, String> {
    let text = if arg == "-" || std::path::Path::new(arg).is_file() {
        read_source(arg)?.text
    } else {
        arg.to_string()
    };
    let token = Token::parse(&text).map_err(|e| match e.offset() {
        Some(at) => format!("{} (at byte {at} of the token)", e.message()),
        None => e.message().to_string(),
    })?;
    outln!("{}", serde_json::to_string_pretty(&token.to_json()).map_err(|e| e.to_string())?)?;
    Ok(ExitCode::SUCCESS)
}
