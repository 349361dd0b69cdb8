using Akka.Configuration;
using RControl.Configuration;

namespace RControl.Host.Cli.Targets;

/// <summary>Reads inventory files (<c>--inventory</c>) and the session part of plans, turning every problem into a <see cref="UsageException"/>.</summary>
public static class InventoryFiles
{
    /// <summary>Reads an inventory file: <c>sessions</c>/<c>groups</c> at the top level, or under <c>rcontrol</c> as in a daemon config.</summary>
    public static Inventory Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"inventory file not found: {path}");
        }

        var text = File.ReadAllText(path);
        var config = ParseHocon(text, path);
        if (config.HasPath("rcontrol.sessions"))
        {
            return Read(config.GetConfig("rcontrol"), path, text, "rcontrol");
        }

        CheckRootKeys(config, path, text, ["sessions", "groups"]);
        return Read(config, path, text);
    }

    /// <summary>Refuses a top-level key that is none of <paramref name="known"/> (a typo would otherwise read as "nothing").</summary>
    public static void CheckRootKeys(Config config, string source, string text, IReadOnlyList<string> known)
    {
        foreach (var key in config.Root.IsObject() ? config.Root.GetObject().Items.Keys.ToArray() : [])
        {
            if (!known.Contains(key))
            {
                throw new UsageException($"{Where(source, text, [key])}unknown key '{key}'{KeySuggestion.Hint(key, known)} ({(known.Contains("tasks") ? "a plan" : "an inventory")} takes {string.Join(", ", known)})");
            }
        }
    }

    /// <summary>Parses HOCON text; a syntax error becomes a one-line <see cref="UsageException"/> naming the file and line.</summary>
    public static Config ParseHocon(string hocon, string source)
    {
        try
        {
            return RControlConfig.ParseUser(hocon, source);
        }
        catch (ConfigurationException e)
        {
            throw new UsageException(OneLine(e.Message), e);
        }
    }

    /// <summary>Reads the session schema, naming the file (and, given the text, the line) in errors.</summary>
    /// <param name="config">The config holding <c>sessions</c> and <c>groups</c>.</param>
    /// <param name="source">The file name.</param>
    /// <param name="text">The file's text, to find the line of a bad key.</param>
    /// <param name="under">The path of <paramref name="config"/> in the file (<c>rcontrol</c> for a daemon config).</param>
    public static Inventory Read(Config config, string source, string? text = null, string? under = null)
    {
        try
        {
            return Inventory.Parse(config);
        }
        catch (ConfigKeyException e)
        {
            var path = under is null ? e.KeyPath : [.. under.Split('.'), .. e.KeyPath];
            throw new UsageException($"{Where(source, text, path)}{OneLine(e.Message)}", e);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidCastException)
        {
            throw new UsageException($"{source}: {OneLine(e.Message)}", e);
        }
    }

    /// <summary><c>file:line: </c> when the key's line is found, else <c>file: </c>.</summary>
    public static string Where(string source, string? text, IReadOnlyList<string> path) =>
        text is not null && HoconSource.LineOf(text, path) is { } line ? $"{source}:{line}: " : $"{source}: ";

    /// <summary>The sessions and groups of <paramref name="first"/>, plus those of <paramref name="second"/> it does not define.</summary>
    public static Inventory Merge(Inventory first, Inventory? second)
    {
        if (second is null)
        {
            return first;
        }

        var sessions = new Dictionary<string, RControl.Protocol.SessionSpec>(first.Sessions, StringComparer.Ordinal);
        foreach (var (name, spec) in second.Sessions)
        {
            sessions.TryAdd(name, spec);
        }

        var groups = new Dictionary<string, IReadOnlyList<string>>(first.Groups, StringComparer.Ordinal);
        foreach (var (name, members) in second.Groups)
        {
            groups.TryAdd(name, members);
        }

        return new Inventory(sessions, groups);
    }

    private static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
