using System.Globalization;
using System.Text.Json;

namespace RControl.Hosting;

/// <summary>Writes typed option values as HOCON values (the options become config, read once like any other).</summary>
internal static class HoconValue
{
    /// <summary>A quoted string (JSON quoting is valid HOCON).</summary>
    public static string Of(string value) => JsonSerializer.Serialize(value);

    /// <summary>A whole number.</summary>
    public static string Of(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A duration in milliseconds.</summary>
    public static string Of(TimeSpan value) => $"{((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}ms";

    /// <summary>A list of quoted strings.</summary>
    public static string Of(IEnumerable<string> values) => $"[{string.Join(", ", values.Select(Of))}]";

    /// <summary>Checks a count option: at least 1.</summary>
    public static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1, got {value}");

    /// <summary>Checks a duration option: at least one millisecond.</summary>
    public static TimeSpan Positive(TimeSpan value, string name) =>
        value >= TimeSpan.FromMilliseconds(1) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1ms, got {value}");
}
