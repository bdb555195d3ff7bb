//! `identmap.toml` on disk: finding it (walking up from a directory) and reading it and the files
//! its `[sso]` table names. The schema and its validation are `identmap_lint::project`.

use std::path::{Path, PathBuf};

use identmap::sso::JwtSettings;
pub use identmap_lint::project::{ConfigError, ProjectConfig, SeverityOverride, SsoConfig, FILE_NAME};

/// Read and parse `path`.
///
/// # Errors
/// Read errors (with the path) and everything [`ProjectConfig::parse`] reports.
pub fn load(path: &Path) -> Result<ProjectConfig, ConfigError> {
    let name = path.to_string_lossy();
    let src = crate::input::read_named(&name).map_err(|message| {
        // `read_source` already names the file.
        ConfigError::whole_file(path, message.strip_prefix(&format!("{name}: ")).unwrap_or(&message))
    })?;
    ProjectConfig::parse(path, &src.text)
}

/// Read a file named by the `[sso]` table (the message names the file).
///
/// # Errors
/// When it cannot be read.
pub fn read_sso_file(path: &Path) -> Result<String, String> {
    Ok(crate::input::read_named(&path.to_string_lossy())?.text)
}

/// The `[sso]` table's JWT settings, its files read from disk.
///
/// # Errors
/// When the `settings` or `jwks` file cannot be read (the message names the file).
pub fn jwt_settings(sso: &SsoConfig) -> Result<JwtSettings, String> {
    sso.jwt_settings(read_sso_file)
}

/// The `identmap.toml` a command uses: none with `--no-config`, the `--config` file, or the one
/// [`discover`]ed from the directory of `near` (a file the command reads; the current directory
/// for `-` or none).
///
/// # Errors
/// When the file cannot be read or is not a valid `identmap.toml` (with line and column).
pub fn for_command(
    explicit: Option<&str>,
    no_config: bool,
    near: Option<&str>,
) -> Result<Option<ProjectConfig>, String> {
    if no_config {
        return Ok(None);
    }
    let path = match explicit {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            let dir = match near {
                Some(f) if f != "-" => Path::new(f).parent().map(Path::to_path_buf).unwrap_or_default(),
                _ => PathBuf::from("."),
            };
            discover(&dir)
        }
    };
    path.map(|p| load(&p).map_err(|e| e.to_string())).transpose()
}

/// The `identmap.toml` that applies to files in `dir`: the first one found walking up from
/// `dir` to the root (a relative `dir` is taken from the current directory).
#[must_use]
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let start = if dir.is_absolute() { dir.to_path_buf() } else { std::env::current_dir().ok()?.join(dir) };
    start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_table_builds_jwt_settings_over_the_sql_file() {
        let dir = std::env::temp_dir().join(format!("identmap-config-sso-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(
            dir.join("cluster.sql"),
            "SET CLUSTER SETTING server.jwt_authentication.claim = 'email';\n\
             SET CLUSTER SETTING server.jwt_authentication.audience = 'from-sql';\n",
        )
        .expect("write");
        let text = "[sso]\nsettings = \"cluster.sql\"\naudience = [\"a\", \"b\"]\nenabled = true\n";
        let cfg = ProjectConfig::parse(&dir.join(FILE_NAME), text).expect("valid");
        let jwt = cfg.sso().expect("sso").jwt_settings(read_sso_file).expect("readable");
        assert_eq!(jwt.claim().as_str(), "email");
        assert_eq!(jwt.audience(), ["a", "b"]);
        assert!(jwt.enabled());
        let missing =
            ProjectConfig::parse(&dir.join(FILE_NAME), "[sso]\njwks = \"nope.json\"\n").expect("valid");
        let e = missing.sso().expect("sso").jwt_settings(read_sso_file).unwrap_err();
        assert!(e.contains("nope.json"), "{e}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn discover_walks_up() {
        let root = std::env::temp_dir().join(format!("identmap-config-{}", std::process::id()));
        let deep = root.join("a/b/c");
        std::fs::create_dir_all(&deep).expect("mkdir");
        assert_ne!(discover(&deep), Some(root.join(FILE_NAME)));
        std::fs::write(root.join(FILE_NAME), "").expect("write");
        assert_eq!(discover(&deep), Some(root.join(FILE_NAME)));
        std::fs::write(root.join("a").join(FILE_NAME), "").expect("write");
        assert_eq!(discover(&deep), Some(root.join("a").join(FILE_NAME)));
        std::fs::remove_dir_all(&root).expect("cleanup");
    }
}
