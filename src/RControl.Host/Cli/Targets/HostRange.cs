using System.Globalization;

namespace RControl.Host.Cli.Targets;

/// <summary>
/// Expands host ranges in the style of ClusterShell/pdsh: <c>web[01-20].example.com</c>, <c>db[1,3,5-7]</c>,
/// several ranges in one name (<c>r[1-2]n[1-3]</c>). Leading zeros set the width.
/// </summary>
public static class HostRange
{
    /// <summary>The most hosts one pattern may expand to.</summary>
    public const int MaxHosts = 10_000;

    /// <summary>True when the text holds a bracketed range.</summary>
    public static bool IsRange(string text) => text.Contains('[', StringComparison.Ordinal);

    /// <summary>Expands the pattern in order; throws <see cref="UsageException"/> naming the problem.</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        var open = pattern.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return pattern.Contains(']', StringComparison.Ordinal) ? throw Bad(pattern, "']' without '['") : [pattern];
        }

        var close = pattern.IndexOf(']', open);
        if (close < 0)
        {
            throw Bad(pattern, "'[' without ']'");
        }

        var prefix = pattern[..open];
        if (prefix.Contains(']', StringComparison.Ordinal))
        {
            throw Bad(pattern, "']' without '['");
        }

        var rest = Expand(pattern[(close + 1)..]);
        var result = new List<string>();
        foreach (var item in Items(pattern, pattern[(open + 1)..close]))
        {
            foreach (var tail in rest)
            {
                result.Add(prefix + item + tail);
                if (result.Count > MaxHosts)
                {
                    throw Bad(pattern, $"expands to more than {MaxHosts} hosts");
                }
            }
        }

        return result;
    }

    private static IEnumerable<string> Items(string pattern, string body)
    {
        if (body.Length == 0)
        {
            throw Bad(pattern, "empty range '[]'");
        }

        foreach (var part in body.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                yield return Number(pattern, part).Text;
                continue;
            }

            var (from, fromText) = Number(pattern, part[..dash]);
            var (to, _) = Number(pattern, part[(dash + 1)..]);
            if (to < from)
            {
                throw Bad(pattern, $"range {part} goes down");
            }

            if (to - from >= MaxHosts)
            {
                throw Bad(pattern, $"expands to more than {MaxHosts} hosts");
            }

            var width = fromText.Length > 1 && fromText[0] == '0' ? fromText.Length : 0;
            for (var i = from; i <= to; i++)
            {
                yield return i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            }
        }
    }

    private static (long Value, string Text) Number(string pattern, string text)
    {
        var t = text.Trim();
        return t.Length > 0 && t.All(char.IsAsciiDigit) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (value, t)
            : throw Bad(pattern, $"'{text}' is not a number");
    }

    private static UsageException Bad(string pattern, string why) => new($"bad host range '{pattern}': {why}");
}
