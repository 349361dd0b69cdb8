using System.Globalization;
using Akka.Configuration;

namespace RControl.Host.Cli;

/// <summary>Parses a duration given on the command line: a HOCON duration (<c>500ms</c>, <c>5s</c>, <c>2m</c>) or a plain number of seconds.</summary>
public static class DurationText
{
    /// <summary>The longest duration accepted: a year is longer than any command should run unattended.</summary>
    public const double MaxSeconds = 366 * 86400;

    /// <summary>Parses <paramref name="value"/> for the option <paramref name="option"/>; throws <see cref="UsageException"/> when it is not a positive duration.</summary>
    public static TimeSpan Parse(string option, string value)
    {
        var text = value.Trim();
        TimeSpan result;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            // 1e400, Infinity and NaN parse as doubles but are no duration.
            result = double.IsFinite(seconds) && Math.Abs(seconds) <= MaxSeconds
                ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException($"{option}: '{value}' is not a duration (at most {MaxSeconds / 86400:0} days)");
        }
        else
        {
            try
            {
                result = ConfigurationFactory.ParseString($"d = \"{text.Replace("\"", string.Empty, StringComparison.Ordinal)}\"").GetTimeSpan("d", null, allowInfinite: false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new UsageException($"{option}: '{value}' is not a duration (examples: 30s, 500ms, 2m, 1.5)", e);
            }
        }

        if (result.TotalSeconds > MaxSeconds)
        {
            throw new UsageException($"{option}: '{value}' is not a duration (at most {MaxSeconds / 86400:0} days)");
        }

        return result > TimeSpan.Zero ? result : throw new UsageException($"{option} must be positive, got '{value}'");
    }
}
