using Akka.Configuration;

namespace RControl.Configuration;

/// <summary>
/// Prepares HOCON text for Akka's parser, which neither reads environment variables nor reports
/// unbalanced braces: structural errors are reported with their line, then environment references
/// are substituted (<see cref="EnvironmentSubstitution"/>).
/// </summary>
public static class HoconText
{
    /// <summary>Substitutes environment variables and checks the structure; throws <see cref="ConfigurationException"/> with a line number.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="source">A name for errors (a file path), or null.</param>
    public static string Prepare(string text, string? source = null)
    {
        CheckStructure(text, source);
        return EnvironmentSubstitution.Apply(text);
    }

    /// <summary>Names the line of a character position, for errors from Akka's parser.</summary>
    public static int LineOf(string text, int position) =>
        1 + text.AsSpan(0, Math.Clamp(position, 0, text.Length)).Count('\n');

    private static void CheckStructure(string text, string? source)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '"':
                    i = SkipString(text, i, ref line, source);
                    break;
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        throw new ConfigurationException($"{Where(source, line)}unexpected '{c}'");
                    }

                    open.Pop();
                    break;
            }
        }

        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            throw new ConfigurationException($"{Where(source, at)}'{bracket}' is never closed");
        }
    }

    private static int SkipString(string text, int start, ref int line, string? source)
    {
        if (text.AsSpan(start).StartsWith("\"\"\""))
        {
            var end = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new ConfigurationException($"{Where(source, line)}unterminated \"\"\" string");
            }

            line += text.AsSpan(start, end - start).Count('\n');
            return end + 2;
        }

        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    return i;
                case '\n':
                    throw new ConfigurationException($"{Where(source, line)}unterminated string");
            }
        }

        throw new ConfigurationException($"{Where(source, line)}unterminated string");
    }

    private static string Where(string? source, int line) => $"bad HOCON: {(source is null ? "" : source + ":")}line {line}: ";
}
