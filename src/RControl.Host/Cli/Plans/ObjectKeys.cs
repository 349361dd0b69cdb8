using System.Text;

namespace RControl.Host.Cli.Plans;

/// <summary>
/// Finds keys written twice directly inside a root-level object of HOCON text (e.g. <c>tasks { A {…} A {…} }</c>).
/// HOCON merges duplicate keys silently, so a plan in the object form would lose a task without this check.
/// Run after <see cref="RControl.Configuration.HoconText.CheckStructure"/> (the text is structurally sound).
/// </summary>
public static class ObjectKeys
{
    private enum Kind
    {
        Word,
        Open,
        Close,
        Separator,
        Assign,
    }

    /// <summary>The keys that appear more than once under the root key <paramref name="objectKey"/>, with the line of the repeat.</summary>
    public static IReadOnlyList<(string Key, int Line)> Duplicates(string text, string objectKey)
    {
        var tokens = Tokenize(text);
        var rootDepth = tokens.Count > 0 && tokens[0].Kind == Kind.Open && tokens[0].Text == "{" ? 1 : 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new List<(string, int)>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == Kind.Open)
            {
                depth++;
                continue;
            }

            if (token.Kind == Kind.Close)
            {
                depth--;
                continue;
            }

            if (depth != rootDepth || token.Kind != Kind.Word || token.Text != objectKey || !AtEntryStart(tokens, i))
            {
                continue;
            }

            var j = i + 1;
            if (j < tokens.Count && tokens[j].Kind == Kind.Assign)
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
                if (t.Kind == Kind.Open)
                {
                    inner++;
                }
                else if (t.Kind == Kind.Close)
                {
                    if (inner-- == 0)
                    {
                        i = k;
                        depth = rootDepth;
                        break;
                    }
                }
                else if (inner == 0 && t.Kind == Kind.Word && AtEntryStart(tokens, k) && k + 1 < tokens.Count
                    && (tokens[k + 1].Kind == Kind.Assign || tokens[k + 1].Text == "{"))
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

    private static bool AtEntryStart(List<(Kind Kind, string Text, int Line)> tokens, int index) =>
        index == 0 || tokens[index - 1].Kind is Kind.Separator || tokens[index - 1].Text is "{" || tokens[index - 1].Kind == Kind.Close;

    private static List<(Kind Kind, string Text, int Line)> Tokenize(string text)
    {
        var tokens = new List<(Kind, string, int)>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add((Kind.Separator, "\n", line));
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
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '{' or '[')
            {
                tokens.Add((Kind.Open, c.ToString(), line));
                i++;
            }
            else if (c is '}' or ']')
            {
                tokens.Add((Kind.Close, c.ToString(), line));
                i++;
            }
            else if (c == ',')
            {
                tokens.Add((Kind.Separator, ",", line));
                i++;
            }
            else if (c is '=' or ':' || (c == '+' && i + 1 < text.Length && text[i + 1] == '='))
            {
                tokens.Add((Kind.Assign, c.ToString(), line));
                i += c == '+' ? 2 : 1;
            }
            else
            {
                var start = line;
                var word = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or '[' or ']' or ',' or '=' or ':' or '#'))
                {
                    if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                    {
                        var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                        end = end < 0 ? text.Length : end + 3;
                        line += text.AsSpan(i, end - i).Count('\n');
                        word.Append(text, i, end - i);
                        i = end;
                    }
                    else if (text[i] == '"')
                    {
                        var j = i + 1;
                        while (j < text.Length && text[j] != '"' && text[j] != '\n')
                        {
                            j += text[j] == '\\' ? 2 : 1;
                        }

                        word.Append(text, i + 1, Math.Min(j, text.Length) - i - 1);
                        i = Math.Min(j + 1, text.Length);
                    }
                    else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
                    {
                        var end = text.IndexOf('}', i);
                        end = end < 0 ? text.Length : end + 1;
                        word.Append(text, i, end - i);
                        i = end;
                    }
                    else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
                    {
                        break;
                    }
                    else
                    {
                        word.Append(text[i]);
                        i++;
                    }
                }

                tokens.Add((Kind.Word, word.ToString(), start));
            }
        }

        return tokens;
    }
}
