namespace RControl.Host.Cli.Targets;

/// <summary>
/// A structural check of HOCON text before it is parsed: Akka's parser accepts unbalanced braces and
/// unterminated strings silently, so this finds them and names the line — unterminated quoted strings,
/// unexpected or mismatched closing braces/brackets, and braces/brackets left open at the end.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Returns null when the structure is sound, else a message starting with <c>line N:</c>.</summary>
    public static string? Check(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                var start = line;
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    return $"line {start}: unterminated \"\"\" string";
                }

                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 3;
                while (i < text.Length && text[i] == '"')
                {
                    i++;
                }
            }
            else if (c == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        return $"line {line}: unterminated string";
                    }

                    if (text[i] == '\\')
                    {
                        i += 2;
                        continue;
                    }

                    if (text[i++] == '"')
                    {
                        break;
                    }
                }
            }
            else if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOfAny(['}', '\n'], i);
                if (end < 0 || text[end] != '}')
                {
                    return $"line {line}: unterminated substitution '${{'";
                }

                i = end + 1;
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line));
                i++;
            }
            else if (c is '}' or ']')
            {
                if (open.Count == 0)
                {
                    return $"line {line}: unexpected '{c}'";
                }

                var (bracket, at) = open.Pop();
                var expected = bracket == '{' ? '}' : ']';
                if (c != expected)
                {
                    return $"line {line}: expected '{expected}' to close '{bracket}' of line {at}, found '{c}'";
                }

                i++;
            }
            else
            {
                i++;
            }
        }

        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            return $"line {at}: '{bracket}' is never closed";
        }

        return null;
    }
}
