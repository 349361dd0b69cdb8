using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace RControl.Configuration;

/// <summary>
/// The one component that reads HOCON text before (and beside) Akka's parser, on one lexer (<see cref="HoconLexer"/>):
/// the structure check with lines (Akka's parser reports neither unbalanced brackets nor lines), the two rewrites
/// Akka's parser needs (environment substitution, commas after objects), the line of a key for error messages, and
/// the keys HOCON would merge silently. Values are never logged.
/// </summary>
internal static partial class HoconSource
{
    /// <summary>Checks the structure, then substitutes environment variables and relaxes commas after objects; throws <see cref="ConfigurationException"/> with a line number.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="source">A name for errors (a file path), or null.</param>
    public static string Prepare(string text, string? source = null)
    {
        var lexed = HoconLexer.Lex(text);
        if (Problem(lexed) is { } problem)
        {
            throw new ConfigurationException($"{Where(source)}{problem}");
        }

        return Rewrite(text, [.. CommaEdits(lexed), .. SubstitutionEdits(lexed, Environment.GetEnvironmentVariable)]);
    }

    /// <summary>Returns null when the structure is sound, else a message starting with <c>line N:</c>.</summary>
    public static string? CheckStructure(string text) => Problem(HoconLexer.Lex(text));

    /// <summary>
    /// Akka's parser refuses the valid <c>copy { … }, after = [b]</c> (a comma after an object value inside an
    /// object): such commas become spaces, which it reads as the same separator. Positions and lines are kept.
    /// </summary>
    public static string CommasAfterObjects(string text) => Rewrite(text, CommaEdits(HoconLexer.Lex(text)));

    /// <summary>
    /// Resolves <c>${VAR}</c> and <c>${?VAR}</c> outside quotes from the environment (Akka.NET's parser does not fall
    /// back to environment variables). Only environment-style names (letters, digits, underscores) that are not keys
    /// of the document are touched; a defined variable becomes a quoted string, an undefined optional one
    /// <c>null</c> (unset), so <c>password = ${?WEB1_PASSWORD}</c> works as in the HOCON spec.
    /// </summary>
    public static string SubstituteEnvironment(string text, Func<string, string?>? lookup = null) =>
        Rewrite(text, SubstitutionEdits(HoconLexer.Lex(text), lookup ?? Environment.GetEnvironmentVariable));

    /// <summary>The line of the last place <paramref name="path"/> is assigned (nested blocks or dotted keys), or null.</summary>
    public static int? LineOf(string text, IReadOnlyList<string> path)
    {
        var tokens = HoconLexer.Lex(text).Tokens;
        var target = string.Join('\u0001', path);
        int? found = null;

        // One frame per open bracket: the path of the object it opens (null inside an array).
        var frames = new Stack<List<string>?>();
        List<string>? current = [];
        List<string>? pending = null;
        var first = tokens.FindIndex(t => t.Kind != HoconTokenKind.Separator);
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            switch (token.Kind)
            {
                case HoconTokenKind.Open:
                    frames.Push(current);
                    current = token.Text == "{" ? pending ?? (i == first ? [] : null) : null;
                    pending = null;
                    break;
                case HoconTokenKind.Close:
                    current = frames.Count > 0 ? frames.Pop() : [];
                    pending = null;
                    break;
                case HoconTokenKind.Word when current is not null && IsKey(tokens, i):
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

    /// <summary>
    /// The keys written more than once directly inside the root-level object <paramref name="objectKey"/>
    /// (e.g. <c>tasks { A {…} A {…} }</c>), with the line of the repeat: HOCON merges them silently.
    /// </summary>
    public static IReadOnlyList<(string Key, int Line)> Duplicates(string text, string objectKey)
    {
        var tokens = HoconLexer.Lex(text).Tokens;
        var rootDepth = tokens.Count > 0 && tokens[0] is { Kind: HoconTokenKind.Open, Text: "{" } ? 1 : 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new List<(string, int)>();
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind is HoconTokenKind.Open or HoconTokenKind.Close)
            {
                depth += token.Kind == HoconTokenKind.Open ? 1 : -1;
                continue;
            }

            if (depth != rootDepth || token.Kind != HoconTokenKind.Word || token.Text != objectKey || !AtEntryStart(tokens, i))
            {
                continue;
            }

            var j = i + 1 < tokens.Count && tokens[i + 1].Kind == HoconTokenKind.Assign ? i + 2 : i + 1;
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
                else if (inner == 0 && t.Kind == HoconTokenKind.Word && IsKey(tokens, k) && !seen.Add(t.Text.Split('.')[0]))
                {
                    duplicates.Add((t.Text.Split('.')[0], t.Line));
                }
            }
        }

        return duplicates;
    }

    /// <summary>Names the line of a character position, for errors from Akka's parser.</summary>
    public static int LineAt(string text, int position) =>
        1 + text.AsSpan(0, Math.Clamp(position, 0, text.Length)).Count('\n');

    /// <summary>The start of every syntax error message: <c>HOCON syntax error in FILE: </c>.</summary>
    public static string Where(string? source) => source is null ? "HOCON syntax error: " : $"HOCON syntax error in {source}: ";

    private static string? Problem(HoconLexed lexed)
    {
        if (lexed.Problem is not null)
        {
            return lexed.Problem;
        }

        var open = new Stack<HoconToken>();
        foreach (var token in lexed.Tokens)
        {
            if (token.Kind == HoconTokenKind.Open)
            {
                open.Push(token);
            }
            else if (token.Kind == HoconTokenKind.Close)
            {
                if (open.Count == 0)
                {
                    return $"line {token.Line}: unexpected '{token.Text}'";
                }

                var opener = open.Pop();
                var expected = opener.Text == "{" ? "}" : "]";
                if (token.Text != expected)
                {
                    return $"line {token.Line}: expected '{expected}' to close '{opener.Text}' of line {opener.Line}, found '{token.Text}'";
                }
            }
        }

        return open.Count > 0 ? $"line {open.Peek().Line}: '{open.Peek().Text}' is never closed" : null;
    }

    private static IEnumerable<(int Start, int End, string Text)> CommaEdits(HoconLexed lexed)
    {
        var open = new Stack<string>();
        HoconToken? previous = null;
        foreach (var token in lexed.Tokens)
        {
            switch (token.Kind)
            {
                case HoconTokenKind.Open:
                    open.Push(token.Text);
                    break;
                case HoconTokenKind.Close when open.Count > 0:
                    open.Pop();
                    break;
                case HoconTokenKind.Separator when token.Text == "," && previous is { Kind: HoconTokenKind.Close, Text: "}" }
                                                  && (open.Count == 0 || open.Peek() == "{"):
                    yield return (token.Start, token.End, " ");
                    break;
            }

            if (token.Text != "\n")
            {
                previous = token;
            }
        }
    }

    private static IEnumerable<(int Start, int End, string Text)> SubstitutionEdits(HoconLexed lexed, Func<string, string?> lookup)
    {
        // Keys written at the start of a line are the document's own: HOCON resolves those references.
        var ownKeys = lexed.Tokens
            .Where((t, i) => t.Kind == HoconTokenKind.Word && (i == 0 || lexed.Tokens[i - 1].Text == "\n") && IsKey(lexed.Tokens, i))
            .Select(t => t.Text)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var substitution in lexed.Substitutions)
        {
            var match = EnvironmentReference().Match(substitution.Expression);
            if (!match.Success || ownKeys.Contains(match.Groups["name"].Value))
            {
                continue;
            }

            if (lookup(match.Groups["name"].Value) is { } value)
            {
                yield return (substitution.Start, substitution.End, JsonSerializer.Serialize(value));
            }
            else if (match.Groups["optional"].Success)
            {
                yield return (substitution.Start, substitution.End, "null");
            }
        }
    }

    private static string Rewrite(string text, IEnumerable<(int Start, int End, string Text)> edits)
    {
        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, end, replacement) in edits.OrderBy(e => e.Start))
        {
            result.Append(text, at, start - at).Append(replacement);
            at = end;
        }

        return at == 0 && result.Length == 0 ? text : result.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>A word followed by <c>=</c>, <c>:</c>, <c>+=</c> or <c>{</c>, at the start of an entry.</summary>
    private static bool IsKey(List<HoconToken> tokens, int index) =>
        AtEntryStart(tokens, index) && index + 1 < tokens.Count
        && (tokens[index + 1].Kind == HoconTokenKind.Assign || tokens[index + 1].Text == "{");

    private static bool AtEntryStart(List<HoconToken> tokens, int index) =>
        index == 0 || tokens[index - 1].Kind is HoconTokenKind.Separator or HoconTokenKind.Close || tokens[index - 1].Text is "{";

    [GeneratedRegex(@"^(?<optional>\?)?(?<name>[A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex EnvironmentReference();
}
