using System.CommandLine;

namespace RControl.Host.Daemon;

/// <summary><c>rcontrol daemon --config &lt;file&gt;</c>: the long-running orchestration service.</summary>
internal static class DaemonCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "The daemon's HOCON file: inventory under rcontrol.sessions / rcontrol.groups, endpoint under akka.remote.dot-netty.tcp (see hocon/daemon.conf).",
        };
        var command = new Command("daemon", "Run the orchestration daemon: named sessions served over Akka.Remote (akka.tcp://rcontrol@host:port).")
        {
            config,
        };
        command.Subcommands.Add(CredentialsCommand.Create());
        command.Subcommands.Add(StatusCommand.Create());
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(config) is not { } file)
            {
                await Console.Error.WriteLineAsync("rcontrol daemon: --config <file> is required").ConfigureAwait(false);
                return 2;
            }

            return await DaemonRunner.RunAsync(file, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
