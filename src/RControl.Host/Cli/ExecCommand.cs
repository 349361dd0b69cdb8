using System.CommandLine;

namespace RControl.Host.Cli;

/// <summary><c>rcontrol exec</c>: run one command on targets.</summary>
internal static class ExecCommand
{
    public static Command Create()
    {
        var command = new Command("exec", "Run a command on one or more targets.");
        command.SetAction(_ => 2);
        return command;
    }
}
