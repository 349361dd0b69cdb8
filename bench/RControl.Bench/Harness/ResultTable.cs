using System.Globalization;
using System.Text;

namespace RControl.Bench.Harness;

/// <summary>Prints the rows as one markdown table.</summary>
public static class ResultTable
{
    public static string Render(IEnumerable<Row> rows, int runs)
    {
        var text = new StringBuilder();
        text.AppendLine($"| workload | unit | RControl median | RControl best | baseline | baseline median | baseline best | cost ratio | target | result | notes |");
        text.AppendLine("|---|---|---:|---:|---|---:|---:|---:|---|---|---|");
        foreach (var row in rows)
        {
            var notes = new List<string>();
            if (row.Failure is not null)
            {
                notes.Add("FAILED: " + row.Failure);
            }

            if (row.NotMeasured is not null)
            {
                notes.Add(row.NotMeasured);
            }

            notes.AddRange(row.Notes);
            text.AppendLine(string.Join(" | ", [
                "| " + row.Workload,
                row.Unit,
                Format(row.RControl, row.RControlMedian),
                Format(row.RControl, row.RControl.Count == 0 ? double.NaN : row.RControlBest),
                row.Baseline,
                Format(row.Raw, row.RawMedian),
                Format(row.Raw, row.Raw.Count == 0 ? double.NaN : row.RawBest),
                row.CostRatio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—",
                row.Target,
                row.Verdict,
                string.Join("; ", notes).Replace("|", "\\|", StringComparison.Ordinal) + " |",
            ]));
        }

        text.AppendLine();
        text.AppendLine($"Median and best of {runs} measured runs per side after one warm-up run (best = lowest time/size, highest rate). " +
                        "Cost ratio = RControl's median cost ÷ the baseline's (time or size; for rates baseline ÷ RControl): above 1× RControl is slower or bigger.");
        return text.ToString();
    }

    private static string Format(IReadOnlyList<double> samples, double value) =>
        samples.Count == 0 || double.IsNaN(value) ? "—" : value.ToString(value >= 100 ? "0" : value >= 10 ? "0.0" : "0.000", CultureInfo.InvariantCulture);
}
