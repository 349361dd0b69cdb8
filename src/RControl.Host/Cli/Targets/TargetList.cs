using System.Text;

namespace RControl.Host.Cli.Targets;

/// <summary>Splits a comma-separated target list, keeping the commas inside host ranges (<c>web[01-03,07],db1</c>).</summary>
public static class TargetList
{
    /// <summary>The items of the list, trimmed, empty ones dropped.</summary>
    public static IEnumerable<string> Split(string list)
    {
        var item = new StringBuilder();
        var depth = 0;
        foreach (var c in list)
        {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ',' && depth <= 0)
            {
                if (item.ToString().Trim() is { Length: > 0 } text)
                {
                    yield return text;
                }

                item.Clear();
                continue;
            }

            item.Append(c);
        }

        if (item.ToString().Trim() is { Length: > 0 } last)
        {
            yield return last;
        }
    }
}
