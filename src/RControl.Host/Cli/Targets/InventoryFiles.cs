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

        var config = ParseHocon(File.ReadAllText(path), path);
        return Read(config.HasPath("rcontrol.sessions") ? config.GetConfig("rcontrol") : config, path);
    }

    /// <summary>Parses HOCON text; a syntax error becomes a one-line <see cref="UsageException"/> naming the file and line.</summary>
    public static Config ParseHocon(string hocon, string source)
    {
        try
        {
            return RControlConfig.Parse(hocon, source);
        }
        catch (ConfigurationException e)
        {
            throw new UsageException(OneLine(e.Message), e);
        }
    }

    /// <summary>Reads the session schema, naming the file in errors.</summary>
    public static Inventory Read(Config config, string source)
    {
        try
        {
            return Inventory.Parse(config);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidCastException)
        {
            throw new UsageException($"{source}: {OneLine(e.Message)}", e);
        }
    }

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
