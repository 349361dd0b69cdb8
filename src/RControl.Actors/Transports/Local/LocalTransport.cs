using System.Diagnostics;
using RControl.Protocol;

namespace RControl.Transports.Local;

/// <summary>
/// Runs commands on this machine through <c>/bin/sh -c</c>, each in its own process group
/// (via <c>setsid</c>) so that a kill reaches every process the command started, with SIGPIPE
/// at its default disposition.
/// </summary>
public sealed class LocalTransport(LocalSessionSpec spec) : ICommandTransport
{
    /// <inheritdoc />
    public int? MaxConcurrentCommands => null;

    /// <inheritdoc />
    public Task<IRunningCommand> StartAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = !command.CombineStderr,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? spec.WorkingDirectory ?? Environment.CurrentDirectory,
        };
        // .NET ignores SIGPIPE and children inherit that: `yes | head` would print "Broken pipe" errors.
        // Restore the default disposition so commands behave as they do in a terminal or over ssh.
        info.ArgumentList.Add("env");
        info.ArgumentList.Add("--default-signal=PIPE");
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ShellScript.Wrap(command.Command, command.CombineStderr));
        if (command.Environment is { } environment)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        if (!Directory.Exists(info.WorkingDirectory))
        {
            throw new DirectoryNotFoundException($"working directory '{info.WorkingDirectory}' does not exist");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the process did not start");
        // Commands get an empty stdin, like a non-interactive ssh exec: a read returns EOF at once.
        process.StandardInput.Close();
        return Task.FromResult<IRunningCommand>(new LocalRunningCommand(process, command.CombineStderr));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
