using RControl.Protocol;

namespace RControl.Transports.Local;

/// <summary>
/// Runs commands on this machine through <c>/bin/sh -c</c>, started directly with <c>posix_spawn</c>: each in its
/// own session and process group so that a kill reaches every process the command started, with SIGPIPE (and
/// every other signal) at its default disposition, an empty stdin (<c>/dev/null</c>), and — through
/// <see cref="HostDeathGuard"/> — killed with this process if it dies without killing them itself.
/// </summary>
internal sealed class LocalTransport(LocalSessionSpec spec) : ICommandTransport
{
    /// <inheritdoc />
    public int? MaxConcurrentCommands => null;

    /// <inheritdoc />
    public Task<IRunningCommand> StartAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var workingDirectory = command.WorkingDirectory ?? spec.WorkingDirectory ?? Environment.CurrentDirectory;
        if (!Directory.Exists(workingDirectory))
        {
            throw new DirectoryNotFoundException($"working directory '{workingDirectory}' does not exist");
        }

        var environment = PosixSpawn.Environment(command.Environment);
        HostDeathGuard.EnsureStarted();
        var stdout = Posix.CreatePipe();
        var stderr = command.CombineStderr ? ((int Read, int Write)?)null : Posix.CreatePipe();
        var gate = Posix.CreatePipe();
        int pid;
        try
        {
            // Combined: both descriptors are the one pipe, so the interleaving is exactly what the command wrote.
            pid = PosixSpawn.Start(
                ["/bin/sh", "-c", Gated(command.Command)],
                environment,
                workingDirectory,
                new PosixSpawn.Descriptors(-1, stdout.Write, stderr?.Write ?? stdout.Write, gate.Read));
            HostDeathGuard.Add(pid);
            Posix.WriteByte(gate.Write, (byte)'\n'); // Guarded now: the command may run.
        }
        catch
        {
            Posix.Close(stdout.Read);
            if (stderr is { } failed)
            {
                Posix.Close(failed.Read);
            }

            throw;
        }
        finally
        {
            // Only the command holds the write ends now: end-of-file comes when it (and its children) close them.
            Posix.Close(stdout.Write);
            if (stderr is { } pipe)
            {
                Posix.Close(pipe.Write);
            }

            Posix.Close(gate.Read);
            Posix.Close(gate.Write);
        }

        return Task.FromResult<IRunningCommand>(new LocalRunningCommand(pid, stdout.Read, stderr?.Read));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The command runs only once this process has registered its group with the <see cref="HostDeathGuard"/> and says
    /// so on descriptor 3 (if this process dies first, the read sees end-of-file and the command never runs). Kept on
    /// the command's first line, so that the shell's line numbers in error messages stay the user's.
    /// </summary>
    private static string Gated(string command) => "read -r _ <&3 || exit 129; exec 3<&-; " + command;
}
