using System.Security.Cryptography;

namespace RControl.TestSupport;

/// <summary>
/// A unique long-running command for leak checks: <c>sleep SECONDS.DIGITS</c> with random digits (GNU sleep accepts the
/// fraction), so the sleeping process itself carries the marker, not only the shell that started it. Count what is
/// left with <see cref="LeftAsync"/> (every process whose command line contains the command: shells, watchers,
/// sleeps), never with a per-user count: other tests share the login user.
/// </summary>
public sealed class SleepMarker
{
    /// <summary>A new marker sleeping for about <paramref name="seconds"/>.</summary>
    public SleepMarker(int seconds = 1000)
    {
        Command = $"sleep {seconds}.{RandomNumberGenerator.GetInt32(100_000_000, 999_999_999)}";
    }

    /// <summary>The command to run, e.g. <c>sleep 1000.123456789</c>.</summary>
    public string Command { get; }

    /// <summary>How many processes run exactly this command (the sleeps themselves).</summary>
    public int Sleeping
    {
        get
        {
            var argv = Command.Replace(' ', '\0') + "\0";
            var count = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    if (int.TryParse(Path.GetFileName(dir), out _) && File.ReadAllText(Path.Combine(dir, "cmdline")) == argv)
                    {
                        count++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended meanwhile.
                }
            }

            return count;
        }
    }

    /// <summary>Every process whose command line contains the command (the sleeps, and the shells around them).</summary>
    public Task<IReadOnlyList<int>> LeftAsync() => ProcessRunner.PgrepAsync(Command);

    /// <summary>Waits until <paramref name="count"/> sleeps run.</summary>
    public Task WaitSleepingAsync(int count, TimeSpan timeout) =>
        Poll.UntilAsync(() => Sleeping >= count, timeout, $"{count} × '{Command}' running");

    /// <summary>Waits until no process with the marker is left; the message lists what is.</summary>
    public Task WaitGoneAsync(TimeSpan timeout) =>
        Poll.UntilAsync(async () => (await LeftAsync().ConfigureAwait(false)).Count == 0, timeout, $"no process running '{Command}'");

    /// <summary>Kills whatever is left (test clean-up after a failed assertion).</summary>
    public Task KillLeftAsync() => ProcessTree.KillMatchingAsync(Command);

    /// <inheritdoc />
    public override string ToString() => Command;
}
