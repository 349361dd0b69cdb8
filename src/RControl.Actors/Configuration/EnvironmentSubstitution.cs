using System.Text.Json;
using System.Text.RegularExpressions;

namespace RControl.Configuration;

/// <summary>
/// Resolves <c>${VAR}</c> and <c>${?VAR}</c> from the environment before HOCON is parsed (Akka.NET's HOCON
/// parser does not fall back to environment variables). Only environment-style names (letters, digits and
/// underscores, no dots) are touched; a defined variable becomes a quoted string, an undefined optional one
/// becomes <c>null</c> (unset), so <c>password = ${?WEB1_PASSWORD}</c> works as in the HOCON spec.
/// Values are never logged.
/// </summary>
internal static partial class EnvironmentSubstitution
{
    /// <summary>Returns the HOCON text with environment substitutions replaced.</summary>
    public static string Apply(string hocon, Func<string, string?>? lookup = null)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        lookup ??= Environment.GetEnvironmentVariable;
        var defined = DefinedRootKeys(hocon);
        return Substitution().Replace(hocon, match =>
        {
            var name = match.Groups["name"].Value;
            if (defined.Contains(name))
            {
                return match.Value; // a key of the document itself: HOCON resolves it
            }

            var value = lookup(name);
            if (value is not null)
            {
                return JsonSerializer.Serialize(value);
            }

            return match.Groups["optional"].Success ? "null" : match.Value;
        });
    }

    private static HashSet<string> DefinedRootKeys(string hocon) =>
        RootKey().Matches(hocon).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\$\{(?<optional>\?)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Substitution();

    [GeneratedRegex(@"^\s*(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*[=:{]", RegexOptions.Multiline)]
    private static partial Regex RootKey();
}
