namespace RControl.Security;

/// <summary>
/// Where a client finds its credential, first match wins (as kubectl and docker find theirs): an explicit path
/// (<c>--credential</c>), the <c>RCONTROL_CREDENTIAL</c> environment variable, the per-user file for the daemon's
/// address (<c>~/.config/rcontrol/credentials/HOST-PORT.pfx</c>, written by a daemon for its own user), then
/// <c>~/.config/rcontrol/credentials/default.pfx</c>. The password, if any, comes from <c>RCONTROL_CREDENTIAL_PASSWORD</c>.
/// </summary>
internal static class CredentialLocator
{
    /// <summary>The environment variable naming a credential file.</summary>
    public const string EnvironmentVariable = "RCONTROL_CREDENTIAL";

    /// <summary>The environment variable holding the credential file's password (none by default).</summary>
    public const string PasswordVariable = "RCONTROL_CREDENTIAL_PASSWORD";

    /// <summary>The per-user credentials directory: <c>$XDG_CONFIG_HOME/rcontrol/credentials</c> or <c>~/.config/rcontrol/credentials</c>.</summary>
    public static string UserDirectory
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrWhiteSpace(config))
            {
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }

            return Path.Combine(config, "rcontrol", "credentials");
        }
    }

    /// <summary>The per-user credential file for a daemon at host:port.</summary>
    public static string UserFileFor(string host, int port) => Path.Combine(UserDirectory, $"{host}-{port}.pfx");

    /// <summary>The credential path to use, or null when none is found (every place is listed in <see cref="Describe"/>).</summary>
    public static string? Find(string? explicitPath, string? host, int? port)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Expand(explicitPath);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Expand(fromEnvironment);
        }

        if (host is not null && port is { } p && File.Exists(UserFileFor(host, p)))
        {
            return UserFileFor(host, p);
        }

        var fallback = Path.Combine(UserDirectory, "default.pfx");
        return File.Exists(fallback) ? fallback : null;
    }

    /// <summary>The places searched, for an error message.</summary>
    public static string Describe(string? host, int? port) =>
        $"--credential FILE, ${EnvironmentVariable}, {(host is not null && port is { } p ? UserFileFor(host, p) + ", " : "")}{Path.Combine(UserDirectory, "default.pfx")}";

    /// <summary>The password of credential files (from <c>RCONTROL_CREDENTIAL_PASSWORD</c>), or null.</summary>
    public static string? Password => Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } p ? p : null;

    /// <summary>Expands a leading <c>~</c>.</summary>
    public static string Expand(string path) =>
        path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/')) : path;
}
