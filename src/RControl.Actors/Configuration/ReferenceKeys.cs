using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace RControl.Configuration;

/// <summary>
/// Refuses, at every level under a root (<c>rcontrol</c>), a key the reference configuration does not know: a typo
/// would otherwise be read as "use the default". Maps whose keys are names the user chooses (sessions, groups,
/// clients) are left to the readers of those sections, which check each entry.
/// </summary>
internal static class ReferenceKeys
{
    /// <summary>The sections under <c>rcontrol</c> keyed by names the user chooses.</summary>
    public static readonly IReadOnlyList<string> NamedSections = ["sessions", "groups", "clients"];

    /// <summary>Throws a <see cref="ConfigKeyException"/> (full key path) for the first key under <paramref name="root"/> the reference does not have.</summary>
    /// <param name="user">The user's configuration alone (no fallback).</param>
    /// <param name="root">The root to check, e.g. <c>rcontrol</c>.</param>
    public static void Check(Config user, string root = "rcontrol")
    {
        if (!user.HasPath(root) || !RControlConfig.ReferenceConfig.HasPath(root))
        {
            return;
        }

        var value = user.GetValue(root);
        if (value.IsObject())
        {
            Check(value.GetObject(), RControlConfig.ReferenceConfig.GetValue(root).GetObject(), [root], NamedSections);
        }
    }

    private static void Check(HoconObject user, HoconObject reference, List<string> path, IReadOnlyList<string> named)
    {
        var known = reference.Items.Keys.Concat(named).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var (key, value) in user.Items)
        {
            if (named.Contains(key))
            {
                continue;
            }

            if (!reference.Items.TryGetValue(key, out var expected))
            {
                var where = string.Join('.', path);
                throw new ConfigKeyException([.. path, key], $"{where}: unknown key '{key}'{KeySuggestion.Hint(key, known)} (known: {string.Join(", ", known)})");
            }

            if (value.IsObject() && expected.IsObject())
            {
                Check(value.GetObject(), expected.GetObject(), [.. path, key], []);
            }
        }
    }
}
