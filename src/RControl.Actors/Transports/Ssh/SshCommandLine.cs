using System.Text;
using System.Text.RegularExpressions;
using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// Builds the exec request for a command. sshd starts each exec channel's command as a session and
/// process-group leader (it calls setsid), so <c>exec /bin/sh</c> keeps that pid and every child shares its group.
/// The wrapper first prints <c>$$</c> (the group id) on the channel's stderr, before any redirection, so the
/// transport can later kill the whole group over another channel.
/// </summary>
internal static partial class SshCommandLine
{
    public static string Build(CommandSpec command, string? defaultWorkingDirectory)
    {
        var script = new StringBuilder();
        if (command.Environment is { } environment)
        {
            foreach (var (name, value) in environment)
            {
                if (!EnvironmentName().IsMatch(name))
                {
                    throw new ArgumentException($"'{name}' is not a valid environment variable name");
                }

                script.Append("export ").Append(name).Append('=').Append(ShellScript.Quote(value)).Append('\n');
            }
        }

        if ((command.WorkingDirectory ?? defaultWorkingDirectory) is { } directory)
        {
            script.Append("cd ").Append(ShellScript.Quote(directory)).Append(" || exit 1\n");
        }

        script.Append(command.Command);
        var inner = "echo " + ChannelSink.Marker + "$$ >&2\n" + ShellScript.Wrap(script.ToString(), command.CombineStderr);
        return "exec /bin/sh -c " + ShellScript.Quote(inner);
    }

    /// <summary>The command that kills a remote process group (and its leader, should it have left the group).</summary>
    public static string KillGroup(int processGroup) =>
        $"kill -9 -{processGroup} 2>/dev/null; kill -9 {processGroup} 2>/dev/null; true";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
