namespace RControl.Protocol;

/// <summary>
/// A spec field refused where the spec is built: the schema key (<c>connect-timeout</c>) and the problem, so a reader of
/// the HOCON schema can name the session and the key; the parameter name is the property (<c>ConnectTimeout</c>).
/// </summary>
internal sealed class SpecFieldException(string key, string problem, string property)
    : ArgumentException($"'{key}' {problem}", property)
{
    /// <summary>The key of the HOCON session schema.</summary>
    public string Key { get; } = key;

    /// <summary>The problem, starting with the quoted key (<c>'host' is empty</c>).</summary>
    public string Problem { get; } = $"'{key}' {problem}";
}

/// <summary>The checks of spec fields, shared by every spec: each throws a <see cref="SpecFieldException"/>.</summary>
internal static class SpecField
{
    /// <summary>A host name or alias: not empty, no white space.</summary>
    public static string Host(string? value, string key, string property) =>
        string.IsNullOrWhiteSpace(value) ? throw new SpecFieldException(key, "is empty", property)
        : value.Any(char.IsWhiteSpace) ? throw new SpecFieldException(key, $"contains white space: '{value}'", property)
        : value;

    /// <summary>An optional text: null (unset) or not blank.</summary>
    public static string? Text(string? value, string key, string property) =>
        value is not null && string.IsNullOrWhiteSpace(value) ? throw new SpecFieldException(key, "is empty (leave it out for the default)", property) : value;

    /// <summary>A list whose entries are not blank (and, when <paramref name="allowEmpty"/> is false, with at least one).</summary>
    public static IReadOnlyList<string>? List(IReadOnlyList<string>? value, string key, string property, bool allowEmpty)
    {
        if (value is null)
        {
            return null;
        }

        if (!allowEmpty && value.Count == 0)
        {
            throw new SpecFieldException(key, "is an empty list (leave it out for the default)", property);
        }

        return value.Any(string.IsNullOrWhiteSpace) ? throw new SpecFieldException(key, "has an empty entry", property) : value;
    }

    /// <summary>A duration above zero (or, when <paramref name="zeroMeansOff"/>, zero too).</summary>
    public static TimeSpan Duration(TimeSpan value, string key, string property, bool zeroMeansOff = false) =>
        value > TimeSpan.Zero || (zeroMeansOff && value == TimeSpan.Zero) ? value
        : throw new SpecFieldException(key, $"must be {(zeroMeansOff ? "zero (off) or positive" : "positive")}, got {value}", property);
}
