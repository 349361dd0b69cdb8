namespace RControl.Configuration;

/// <summary>Finds the line where a key path is written in HOCON text (<c>sessions.web1.prot</c> → 5), for error messages.</summary>
internal static class HoconKeyLines
{
    /// <summary>The line of the last place <paramref name="path"/> is assigned (nested blocks or dotted keys), or null.</summary>
    public static int? LineOf(string text, IReadOnlyList<string> path)
    {
        var tokens = HoconTokens.Tokenize(text);
        var target = string.Join('\u0001', path);
        int? found = null;

        // One frame per open bracket: the path of the object it opens (null inside an array).
        var frames = new Stack<List<string>?>();
        List<string>? current = [];
        List<string>? pending = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            switch (token.Kind)
            {
                case HoconTokenKind.Open:
                    frames.Push(current);
                    current = token.Text == "{" ? pending ?? (i == FirstNonSeparator(tokens) ? [] : null) : null;
                    pending = null;
                    break;
                case HoconTokenKind.Close:
                    current = frames.Count > 0 ? frames.Pop() : [];
                    pending = null;
                    break;
                case HoconTokenKind.Word when current is not null && AtEntryStart(tokens, i) && i + 1 < tokens.Count
                                              && (tokens[i + 1].Kind == HoconTokenKind.Assign || tokens[i + 1].Text == "{"):
                    var keyPath = new List<string>(current);
                    keyPath.AddRange(token.Text.Split('.'));
                    if (string.Join('\u0001', keyPath) == target)
                    {
                        found = token.Line;
                    }

                    pending = keyPath;
                    break;
                case HoconTokenKind.Separator:
                    pending = null;
                    break;
            }
        }

        return found;
    }

    private static int FirstNonSeparator(List<HoconToken> tokens) => tokens.FindIndex(t => t.Kind != HoconTokenKind.Separator);

    private static bool AtEntryStart(List<HoconToken> tokens, int index) =>
        index == 0 || tokens[index - 1].Kind is HoconTokenKind.Separator or HoconTokenKind.Close || tokens[index - 1].Text is "{";
}
