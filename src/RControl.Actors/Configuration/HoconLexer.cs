using System.Text;

namespace RControl.Configuration;

/// <summary>What a <see cref="HoconToken"/> is.</summary>
internal enum HoconTokenKind
{
    /// <summary>A key or a value (quotes of plain strings removed).</summary>
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

/// <summary>One token of HOCON text: its kind, text, line and place (<c>[Start, End)</c>) in the text.</summary>
internal readonly record struct HoconToken(HoconTokenKind Kind, string Text, int Line, int Start, int End);

/// <summary>A <c>${…}</c> outside quotes: its place in the text and what is between the braces.</summary>
internal readonly record struct HoconSubstitution(int Start, int End, string Expression);

/// <summary>The tokens of HOCON text, its substitutions, and the first lexical problem (<c>line N: …</c>), if any.</summary>
internal sealed record HoconLexed(List<HoconToken> Tokens, List<HoconSubstitution> Substitutions, string? Problem);

/// <summary>
/// The one lexer of HOCON text (Akka's parser keeps no positions and reports no unterminated string with its line):
/// <see cref="HoconSource"/> builds every check and rewrite on it.
/// </summary>
internal static class HoconLexer
{
    public static HoconLexed Lex(string text)
    {
        var tokens = new List<HoconToken>();
        var substitutions = new List<HoconSubstitution>();
        HoconLexed Done(string? problem = null) => new(tokens, substitutions, problem);
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new HoconToken(HoconTokenKind.Separator, "\n", line, i, i + 1));
                line++;
                i++;
            }
            else if (c == '#' || StartsComment(text, i))
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
            else if (c is '{' or '[' or '}' or ']' or ',')
            {
                var kind = c switch { '{' or '[' => HoconTokenKind.Open, '}' or ']' => HoconTokenKind.Close, _ => HoconTokenKind.Separator };
                tokens.Add(new HoconToken(kind, c.ToString(), line, i, i + 1));
                i++;
            }
            else if (c is '=' or ':' || (c == '+' && i + 1 < text.Length && text[i + 1] == '='))
            {
                var length = c == '+' ? 2 : 1;
                tokens.Add(new HoconToken(HoconTokenKind.Assign, text.Substring(i, length), line, i, i + length));
                i += length;
            }
            else if (Word(text, ref i, ref line, substitutions, out var problem) is { } word)
            {
                tokens.Add(word);
            }
            else
            {
                return Done(problem);
            }
        }

        return Done();
    }

    /// <summary>Reads a key or value (quoted parts included) from <paramref name="i"/>; null (and the problem) when a quote or substitution is never closed.</summary>
    private static HoconToken? Word(string text, ref int i, ref int line, List<HoconSubstitution> substitutions, out string? problem)
    {
        problem = null;
        var start = i;
        var startLine = line;
        var word = new StringBuilder();
        while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or '[' or ']' or ',' or '=' or ':' or '#'))
        {
            if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    problem = $"line {line}: unterminated \"\"\" string";
                    return null;
                }

                end += 3;
                while (end < text.Length && text[end] == '"')
                {
                    end++;
                }

                line += text.AsSpan(i, end - i).Count('\n');
                word.Append(text, i, end - i);
                i = end;
            }
            else if (text[i] == '"')
            {
                var j = i + 1;
                while (true)
                {
                    if (j >= text.Length || text[j] == '\n')
                    {
                        problem = $"line {line}: unterminated string";
                        return null;
                    }

                    if (text[j] == '\\')
                    {
                        j += 2;
                        continue;
                    }

                    if (text[j] == '"')
                    {
                        break;
                    }

                    j++;
                }

                word.Append(text, i + 1, j - i - 1);
                i = j + 1;
            }
            else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = text.IndexOfAny(['}', '\n'], i);
                if (end < 0 || text[end] != '}')
                {
                    problem = $"line {line}: unterminated substitution '${{'";
                    return null;
                }

                substitutions.Add(new HoconSubstitution(i, end + 1, text[(i + 2)..end]));
                word.Append(text, i, end + 1 - i);
                i = end + 1;
            }
            else if (StartsComment(text, i))
            {
                break;
            }
            else
            {
                word.Append(text[i]);
                i++;
            }
        }

        return new HoconToken(HoconTokenKind.Word, word.ToString(), startLine, start, i);
    }

    private static bool StartsComment(string text, int i) => text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/';
}
