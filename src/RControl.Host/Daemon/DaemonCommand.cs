using System.CommandLine;

namespace RControl.Host.Daemon;

/// <summary><c>rcontrol daemon</c>: the long-running orchestration service.</summary>
internal static class DaemonCommand
{
    public static Command Create()
    {
        var command = new Command("daemon", "Run the orchestration daemon.");
        command.SetAction(_ => 2);
        return command;
    }
}
