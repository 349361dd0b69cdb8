using Akka.Configuration;

namespace RControl.Configuration;

/// <summary>
/// Prepares HOCON text for Akka's parser, which neither reads environment variables nor reports
/// unbalanced braces: structural errors are reported with their line, then environment references
/// are substituted (<see cref="EnvironmentSubstitution"/>).
/// </summary>
internal static class HoconText
{
    /// <summary>Substitutes environment variables and checks the structure; throws <see cref="ConfigurationException"/> with a line number.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="source">A name for errors (a file path), or null.</param>
    public static string Prepare(string text, string? source = null)
    {
        if (CheckStructure(text) is { } problem)
        {
            throw new ConfigurationException($"{Where(source)}{problem}");
        }

        return EnvironmentSubstitution.Apply(CommasAfterObjects(text));
    }

    /// <summary>
    /// Akka's parser refuses the valid <c>copy { … }, after = [b]</c> (a comma after an object value inside an
    /// object): such commas become spaces, which it reads as the same separator. Positions and lines are kept.
    /// </summary>
    public static string CommasAfterObjects(string text)
    {
        char[]? result = null;
        var open = new Stack<char>();
        var lastSignificant = '\0';
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '"')
            {
                var triple = string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0;
                var end = triple ? text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal) : i + 1;
                if (triple)
                {
                    i = end < 0 ? text.Length : end + 3;
                }
                else
                {
                    while (end < text.Length && text[end] != '"' && text[end] != '\n')
                    {
                        end += text[end] == '\\' ? 2 : 1;
                    }

                    i = end + 1;
                }

                lastSignificant = '"';
                continue;
            }

            if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOf('}', i);
                i = end < 0 ? text.Length : end + 1;
                lastSignificant = '$';
                continue;
            }

            if (c is '{' or '[')
            {
                open.Push(c);
            }
            else if (c is '}' or ']' && open.Count > 0)
            {
                open.Pop();
            }
            else if (c == ',' && lastSignificant == '}' && (open.Count == 0 || open.Peek() == '{'))
            {
                result ??= text.ToCharArray();
                result[i] = ' ';
            }

            if (!char.IsWhiteSpace(c))
            {
                lastSignificant = c;
            }

            i++;
        }

        return result is null ? text : new string(result);
    }

    /// <summary>Names the line of a character position, for errors from Akka's parser.</summary>
    public static int LineOf(string text, int position) =>
        1 + text.AsSpan(0, Math.Clamp(position, 0, text.Length)).Count('\n');

    /// <summary>Returns null when the structure is sound, else a message starting with <c>line N:</c>.</summary>
    public static string? CheckStructure(string text)
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

    /// <summary>The start of every syntax error message: <c>HOCON syntax error in FILE: </c>.</summary>
    public static string Where(string? source) => source is null ? "HOCON syntax error: " : $"HOCON syntax error in {source}: ";
}
