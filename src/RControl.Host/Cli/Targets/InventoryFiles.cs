using System.Text.RegularExpressions;
using Akka.Configuration;
using RControl.Configuration;

namespace RControl.Host.Cli.Targets;

/// <summary>Reads inventory files (<c>--inventory</c>) and the session part of plans, turning every problem into a <see cref="UsageException"/>.</summary>
public static partial class InventoryFiles
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
        if (HoconSyntax.Check(hocon) is { } problem)
        {
            throw new UsageException($"HOCON syntax error in {source}: {problem}");
        }

        try
        {
            return RControlConfig.Parse(hocon);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var inner = e.InnerException ?? e;
            var message = OneLine(inner.Message);
            var line = LineNumber().Match(message);
            var position = Position().Match(message);
            var where = line.Success ? $"line {line.Groups[1].Value}"
                : position.Success && int.TryParse(position.Groups[1].Value, out var at) && at <= hocon.Length ? $"line {hocon.AsSpan(0, at).Count('\n') + 1}"
                : "unknown line";
            var shortMessage = message.Split(':')[0];
            throw new UsageException($"HOCON syntax error in {source}: {where}: {shortMessage}", e);
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

    [GeneratedRegex(@"[Ll]ine[: ]+(\d+)")]
    private static partial Regex LineNumber();

    [GeneratedRegex(@"position (\d+)")]
    private static partial Regex Position();
}
