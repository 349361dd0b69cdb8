using System.Text;

namespace RControl.Configuration;

/// <summary>What a <see cref="HoconToken"/> is.</summary>
internal enum HoconTokenKind
{
    /// <summary>A key or a value (quotes removed).</summary>
    Word,

    /// <summary><c>{</c> or <c>[</c>.</summary>
    Open,

    /// <summary><c>}</c> or <c>]</c>.</summary>
    Close,

    /// <summary>A comma or a new line.</summary>
    Separator,

    /// <summary><c>=</c>, <c>:</c> or <c>+=</c>.</summary>
    Assign,
}

/// <summary>One token of HOCON text, with its line.</summary>
internal readonly record struct HoconToken(HoconTokenKind Kind, string Text, int Line);

/// <summary>
/// A lexer for HOCON text good enough to find keys and their lines (Akka's parser keeps no positions).
/// Run after <see cref="HoconText.CheckStructure"/> (the text is structurally sound).
/// </summary>
internal static class HoconTokens
{
    public static List<HoconToken> Tokenize(string text)
    {
        var tokens = new List<HoconToken>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new HoconToken(HoconTokenKind.Separator, "\n", line));
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
                tokens.Add(new HoconToken(HoconTokenKind.Open, c.ToString(), line));
                i++;
            }
            else if (c is '}' or ']')
            {
                tokens.Add(new HoconToken(HoconTokenKind.Close, c.ToString(), line));
                i++;
            }
            else if (c == ',')
            {
                tokens.Add(new HoconToken(HoconTokenKind.Separator, ",", line));
                i++;
            }
            else if (c is '=' or ':' || (c == '+' && i + 1 < text.Length && text[i + 1] == '='))
            {
                tokens.Add(new HoconToken(HoconTokenKind.Assign, c.ToString(), line));
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

                tokens.Add(new HoconToken(HoconTokenKind.Word, word.ToString(), start));
            }
        }

        return tokens;
    }
}
