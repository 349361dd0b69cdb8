namespace RControl.Bench.Harness;

/// <summary>One workload's results: RControl and raw samples in the same unit, the target and its verdict.</summary>
public sealed class Row
{
    public required string Workload { get; init; }

    /// <summary>The unit of the samples, e.g. <c>ms/cmd</c>, <c>s</c>, <c>M lines/s</c>, <c>MiB</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>True for rates (lines/s): the best sample is the largest and the cost ratio is raw ÷ RControl.</summary>
    public bool HigherIsBetter { get; init; }

    /// <summary>What the raw column measures, e.g. <c>raw SSH.NET</c>.</summary>
    public required string Baseline { get; init; }

    public required string Target { get; init; }

    public List<double> RControl { get; } = [];

    public List<double> Raw { get; } = [];

    /// <summary>Per-pair cost ratios of interleaved runs (RControl ÷ baseline cost); when given, the cost ratio is their median.</summary>
    public List<double> PairRatios { get; } = [];

    /// <summary>Decides the verdict from the row (its medians, notes gathered while running).</summary>
    public Func<Row, bool>? IsMet { get; init; }

    /// <summary>Why the row was not measured; null when it was.</summary>
    public string? NotMeasured { get; set; }

    /// <summary>Correctness checks and extra facts gathered during the runs (counts verified, processes left…).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>A correctness failure (lost lines, failed commands…): the target is missed whatever the timing.</summary>
    public string? Failure { get; set; }

    public double RControlMedian => Stats.Median(RControl);

    public double RawMedian => Stats.Median(Raw);

    public double RControlBest => HigherIsBetter ? RControl.Max() : RControl.Min();

    public double RawBest => HigherIsBetter ? Raw.Max() : Raw.Min();

    /// <summary>RControl's cost over the raw baseline's (medians, or the median of <see cref="PairRatios"/>): above 1 means RControl is slower / bigger.</summary>
    public double? CostRatio =>
        PairRatios.Count > 0 ? Stats.Median(PairRatios)
        : RControl.Count == 0 || Raw.Count == 0 ? null
        : HigherIsBetter ? RawMedian / RControlMedian : RControlMedian / RawMedian;

    public string Verdict =>
        NotMeasured is not null ? "not measured"
        : Failure is not null ? "**missed**"
        : IsMet is null ? "—"
        : IsMet(this) ? "met" : "**missed**";

    /// <summary>Adds a note once (runs repeat the same facts).</summary>
    public void Note(string note)
    {
        if (!Notes.Contains(note))
        {
            Notes.Add(note);
        }
    }
}

/// <summary>Small statistics helpers.</summary>
public static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
