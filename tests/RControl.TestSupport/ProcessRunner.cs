using System.Diagnostics;

namespace RControl.TestSupport;

/// <summary>The result of a finished helper process.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs short helper programs (ssh-keygen, pgrep, useradd …) and collects their output.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/> with arguments (no shell) and returns its exit code and output.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return new ProcessResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs a program and throws when it exits with a non-zero code.</summary>
    public static async Task<string> RunCheckedAsync(string file, params string[] arguments)
    {
        var result = await RunAsync(file, arguments).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Stderr.Trim()}");
        }

        return result.Stdout;
    }

    /// <summary>
    /// Process ids whose full command line contains <paramref name="pattern"/> (like <c>pgrep -f</c> with a plain
    /// string), read from <c>/proc</c> so no procps package is needed. The calling process is never listed.
    /// </summary>
    public static Task<IReadOnlyList<int>> PgrepAsync(string pattern)
    {
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(pattern, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile.
            }
        }

        return Task.FromResult<IReadOnlyList<int>>(found);
    }
}
