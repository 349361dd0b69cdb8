namespace RControl.Bench.Harness;

/// <summary>Command-line options of the end-to-end driver.</summary>
/// <param name="Runs">Measured runs per workload and side (after one warm-up run).</param>
/// <param name="Only">Workloads to run (e.g. W1, W5); empty runs all.</param>
/// <param name="Output">Also write the table (markdown) to this file.</param>
public sealed record BenchOptions(int Runs, IReadOnlySet<string> Only, string? Output)
{
    public const string Usage = """
        RControl.Bench — end-to-end workloads W1–W12 against raw SSH.NET / raw Process (W4P, W11: also Python
        paramiko and Fabric), one markdown table.

          dotnet run -c Release --project bench/RControl.Bench -- [--runs N] [--only W1,W5,...] [--out table.md]
          dotnet run -c Release --project bench/RControl.Bench -- micro [BenchmarkDotNet args, e.g. --filter '*' --job short]

          --runs N    measured runs per workload and side (default 5; fewer for a quick check)
          --only L    comma-separated workloads (W1..W14, W4P = W4 against paramiko and Fabric, W13S = W13 with SSH
                      sessions); all but W12, W13, W13S and W14 by default
          --out F     also write the table to F
        """;

    /// <summary>W12 (1,000 connections) runs only when named: it loads sshd with 2,000 processes.</summary>
    public bool Wants(string workload) => Only.Count == 0 ? workload is not ("W12" or "W13" or "W13S" or "W14") : Only.Contains(workload);

    public static BenchOptions Parse(string[] args)
    {
        var runs = 5;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--only" when i + 1 < args.Length:
                    foreach (var w in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        only.Add(w.ToUpperInvariant());
                    }

                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                default:
                    throw new ArgumentException($"unknown or incomplete option '{args[i]}'\n\n{Usage}");
            }
        }

        return new BenchOptions(runs, only, output);
    }
}
