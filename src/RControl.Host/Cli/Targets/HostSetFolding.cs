using System.Globalization;
using System.Text.RegularExpressions;

namespace RControl.Host.Cli.Targets;

/// <summary>
/// Folds host names into ClusterShell-style sets, the reverse of <see cref="HostRange"/>:
/// <c>web01,web02,web03,web07</c> → <c>web[01-03,07]</c>. Names are folded on their last number; names that
/// differ elsewhere, or have no number, stay as they are. Leading zeros are kept (a run never mixes widths).
/// </summary>
public static partial class HostSetFolding
{
    /// <summary>The folded set, comma-separated: groups in order of first appearance, numbers ascending.</summary>
    public static string Fold(IEnumerable<string> names)
    {
        // Each entry is a name without a number, or the numbers of one (prefix, suffix) group.
        var entries = new List<(string Prefix, string Suffix, List<string>? Numbers)>();
        var groups = new Dictionary<(string, string), List<string>>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var match = LastNumber().Match(name);
            if (!match.Success)
            {
                entries.Add((name, string.Empty, null));
                continue;
            }

            var key = (name[..match.Index], name[(match.Index + match.Length)..]);
            if (!groups.TryGetValue(key, out var numbers))
            {
                numbers = [];
                groups[key] = numbers;
                entries.Add((key.Item1, key.Item2, numbers));
            }

            numbers.Add(match.Value);
        }

        return string.Join(",", entries.Select(e => e.Numbers is null ? e.Prefix : Render(e.Prefix, e.Suffix, e.Numbers)));
    }

    private static string Render(string prefix, string suffix, List<string> numbers)
    {
        if (numbers.Count == 1)
        {
            return prefix + numbers[0] + suffix;
        }

        var sorted = numbers.OrderBy(n => Value(n)).ThenBy(n => n.Length).ToList();
        var runs = new List<string>();
        var start = 0;
        for (var i = 1; i <= sorted.Count; i++)
        {
            if (i < sorted.Count && Value(sorted[i]) == Value(sorted[i - 1]) + 1 && SameWidthRule(sorted[i - 1], sorted[i]))
            {
                continue;
            }

            runs.Add(i - 1 == start ? sorted[start] : $"{sorted[start]}-{sorted[i - 1]}");
            start = i;
        }

        return $"{prefix}[{string.Join(",", runs)}]{suffix}";
    }

    /// <summary>Two numbers may share a run when both are zero-padded to the same width, or neither is padded.</summary>
    private static bool SameWidthRule(string a, string b) =>
        Padded(a) || Padded(b) ? a.Length == b.Length : true;

    private static bool Padded(string n) => n.Length > 1 && n[0] == '0';

    private static decimal Value(string n) => decimal.Parse(n, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d{1,18}(?=\D*$)")]
    private static partial Regex LastNumber();
}
