using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace RControl.Configuration;

/// <summary>
/// Reads the keys of one session block with their types checked: every problem is a <see cref="ConfigKeyException"/>
/// naming the session and the key (and, for an unknown key, the known key it was probably meant to be).
/// </summary>
internal sealed class SessionFields(string name, Config config)
{
    /// <summary>The keys of a local session.</summary>
    public static readonly IReadOnlyList<string> LocalKeys = ["type", "working-directory", "zone"];

    /// <summary>The keys of an SSH session.</summary>
    public static readonly IReadOnlyList<string> SshKeys =
    [
        "type", "host", "port", "user", "identity-files", "password", "passphrase", "known-hosts", "host-key-policy",
        "proxy-jump", "ssh-config", "connect-timeout", "connect-budget", "keep-alive", "max-channels", "max-connections", "kex-algorithms", "zone",
    ];

    /// <summary>Refuses a key that is not one of <paramref name="known"/>.</summary>
    public void CheckKeys(string type, IReadOnlyList<string> known)
    {
        IEnumerable<string> keys = config.Root.IsObject() ? config.Root.GetObject().Items.Keys : [];
        foreach (var key in keys)
        {
            if (!known.Contains(key))
            {
                throw Problem(key, $"unknown key '{key}'{KeySuggestion.Hint(key, known)} ({(type == "ssh" ? "an" : "a")} {type} session takes {string.Join(", ", known)})");
            }
        }
    }

    public bool Has(string key) => config.HasPath(key);

    public string? String(string key) => Read(key, "a string", v => v.IsString() ? v.GetString() : throw new FormatException());

    public int? PositiveInt(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n > 0 ? n : throw Problem(key, $"'{key}' must be positive, got {n}")
            : throw Problem(key, $"'{key}' must be a whole number, got '{text}'");
    }

    public IReadOnlyList<string>? StringList(string key) => Read(key, "a list of strings", v =>
        HoconValues.IsStringList(v) ? v.GetArray().Select(e => e.GetString()).ToArray() : throw new FormatException());

    public TimeSpan? Duration(string key)
    {
        if (!config.HasPath(key))
        {
            return null;
        }

        try
        {
            return Inventory.Duration($"session '{name}'", key, config);
        }
        catch (ConfigurationException e)
        {
            throw new ConfigKeyException(["sessions", name, key], e.Message, e);
        }
    }

    public ConfigKeyException Problem(string key, string what) => new(["sessions", name, key], $"session '{name}': {what}");

    private T? Read<T>(string key, string expected, Func<HoconValue, T> read)
        where T : class
    {
        if (!config.HasPath(key))
        {
            return null;
        }

        var value = config.GetValue(key);
        if (value is null || value.IsEmpty)
        {
            return null;
        }

        try
        {
            return read(value);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or ConfigurationException or NotSupportedException)
        {
            throw Problem(key, $"'{key}' must be {expected}");
        }
    }
}
