using System.Text;
using System.Text.RegularExpressions;
using RControl.Protocol;

namespace RControl.Transports.Ssh;

/// <summary>
/// Builds the exec request for a command. sshd starts each exec channel's command as a session and
/// process-group leader (it calls setsid), so <c>exec /bin/sh</c> keeps that pid and every child shares its group.
/// <para>
/// The wrapper ties the command's life to the channel's: the channel's stdin moves to a watcher (a forked subshell
/// running only builtins, no exec) and the command itself reads <c>/dev/null</c>, so its stdin is at end-of-file at
/// once, as locally. RControl never writes to nor closes the channel's input, so that pipe reaches end-of-file only
/// when sshd closes it: the channel was closed (a kill), or the connection died (controller killed, network cut,
/// sshd killed). The watcher then kills the whole group, itself included (so the group id cannot be reused while
/// it waits). When the shell exits normally its EXIT trap ends the watcher first: background jobs a command left
/// behind are not touched, as locally.
/// </para>
/// <para>
/// Then the wrapper prints <c>$$</c> (the group id) and the watcher's pid on the channel's stderr, before any
/// redirection, so the transport can kill the group over another channel. The script starts with a per-command
/// nonce that the kill checks for in the leader's or watcher's command line, so a group id reused by a stranger
/// after the command ended is never killed.
/// </para>
/// </summary>
internal static partial class SshCommandLine
{
    public static string Build(CommandSpec command, string? defaultWorkingDirectory, string nonce)
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
        var inner = Prologue(nonce) + ShellScript.Wrap(script.ToString(), command.CombineStderr);
        return "exec /bin/sh -c " + ShellScript.Quote(inner);
    }

    /// <summary>A fresh nonce for one command (letters and digits only: it goes into a script and a grep).</summary>
    public static string NewNonce() => Guid.NewGuid().ToString("N");

    /// <summary>The nonce comment, the stdin watcher, its clean-up trap and the ids line (POSIX sh, builtins only).</summary>
    internal static string Prologue(string nonce) =>
        "#rcontrol:" + nonce + "\n" +
        "exec 3<&0 </dev/null\n" +
        "{ while read _; do :; done; kill -9 -$$; } <&3 >/dev/null 2>&1 &\n" +
        "exec 3<&-\n" +
        "trap \"kill $! 2>/dev/null\" EXIT\n" +
        "echo " + ChannelSink.Marker + "$$ $! >&2\n";

    /// <summary>
    /// The command that kills a remote process group, only while its leader or its watcher still carries the
    /// command's nonce. It exits 0 either way: the group is gone when it ends.
    /// </summary>
    public static string KillGroup(RemoteProcess process, string nonce) =>
        $"if grep -qsF rcontrol:{nonce} /proc/{process.Group}/cmdline /proc/{process.Watcher}/cmdline; then kill -9 -{process.Group} {process.Group} 2>/dev/null; fi; true";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}

/// <summary>What the wrapper of a running remote command reports: its process group and its stdin watcher.</summary>
internal sealed record RemoteProcess(int Group, int Watcher);
