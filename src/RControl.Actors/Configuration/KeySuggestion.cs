namespace RControl.Configuration;

/// <summary>Suggests the known key a misspelt one was meant to be (<c>prot</c> → <c>port</c>, <c>identity-file</c> → <c>identity-files</c>).</summary>
internal static class KeySuggestion
{
    /// <summary>The closest known key within two edits (or one that contains the word), else null.</summary>
    public static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(key, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        var limit = key.Length <= 3 ? 1 : 2;
        return bestDistance <= limit ? best : null;
    }

    /// <summary>" (did you mean 'port'?)", or empty when nothing is close.</summary>
    public static string Hint(string key, IEnumerable<string> known) =>
        Closest(key, known) is { } near ? $" (did you mean '{near}'?)" : string.Empty;

    /// <summary>Damerau–Levenshtein distance (optimal string alignment): a swap of two letters counts as one edit.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
