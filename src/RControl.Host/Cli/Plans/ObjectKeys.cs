using RControl.Configuration;

namespace RControl.Host.Cli.Plans;

/// <summary>
/// Finds keys written twice directly inside a root-level object of HOCON text (e.g. <c>tasks { A {…} A {…} }</c>).
/// HOCON merges duplicate keys silently, so a plan in the object form would lose a task without this check.
/// Run after <see cref="RControl.Configuration.HoconText.CheckStructure"/> (the text is structurally sound).
/// </summary>
public static class ObjectKeys
{
    /// <summary>The keys that appear more than once under the root key <paramref name="objectKey"/>, with the line of the repeat.</summary>
    public static IReadOnlyList<(string Key, int Line)> Duplicates(string text, string objectKey)
    {
        var tokens = HoconTokens.Tokenize(text);
        var rootDepth = tokens.Count > 0 && tokens[0].Kind == HoconTokenKind.Open && tokens[0].Text == "{" ? 1 : 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new List<(string, int)>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == HoconTokenKind.Open)
            {
                depth++;
                continue;
            }

            if (token.Kind == HoconTokenKind.Close)
            {
                depth--;
                continue;
            }

            if (depth != rootDepth || token.Kind != HoconTokenKind.Word || token.Text != objectKey || !AtEntryStart(tokens, i))
            {
                continue;
            }

            var j = i + 1;
            if (j < tokens.Count && tokens[j].Kind == HoconTokenKind.Assign)
            {
                j++;
            }

            if (j >= tokens.Count || tokens[j].Text != "{")
            {
                continue;
            }

            // Walk the object's direct entries.
            var inner = 0;
            for (var k = j + 1; k < tokens.Count; k++)
            {
                var t = tokens[k];
                if (t.Kind == HoconTokenKind.Open)
                {
                    inner++;
                }
                else if (t.Kind == HoconTokenKind.Close)
                {
                    if (inner-- == 0)
                    {
                        i = k;
                        depth = rootDepth;
                        break;
                    }
                }
                else if (inner == 0 && t.Kind == HoconTokenKind.Word && AtEntryStart(tokens, k) && k + 1 < tokens.Count
                    && (tokens[k + 1].Kind == HoconTokenKind.Assign || tokens[k + 1].Text == "{"))
                {
                    var key = t.Text.Split('.')[0];
                    if (!seen.Add(key))
                    {
                        duplicates.Add((key, t.Line));
                    }
                }
            }
        }

        return duplicates;
    }

    private static bool AtEntryStart(List<HoconToken> tokens, int index) =>
        index == 0 || tokens[index - 1].Kind is HoconTokenKind.Separator || tokens[index - 1].Text is "{" || tokens[index - 1].Kind == HoconTokenKind.Close;
}
