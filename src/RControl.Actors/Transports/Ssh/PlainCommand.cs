using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace RControl.Transports.Ssh;

/// <summary>
/// A command that every POSIX shell, bash included, runs the same way: words of letters, digits and <c>_./+,:@%=-</c>
/// only (nothing to expand, quote, glob, redirect or split differently), the first naming a program, not a reserved word,
/// a builtin of dash or bash, or an assignment. Such a command is a program found on <c>PATH</c> (or at a path) with its
/// arguments, or <c>true</c>/<c>false</c>, whose builtins only exit 0 or 1 in every shell.
/// </summary>
internal sealed partial record PlainCommand(string Program, bool HasSlash, int? ExitCode)
{
    // dash 0.5 and bash 5 reserved words and builtins: what one shell runs differently, or at all, from the other.
    private static readonly FrozenSet<string> ShellWords = new[]
    {
        "!", "[[", "]]", "{", "}", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if",
        "in", "select", "then", "time", "until", "while",
        ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "chdir", "command", "compgen", "complete",
        "compopt", "continue", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export", "fc", "fg",
        "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout", "mapfile", "popd", "printf", "pushd",
        "pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend", "test", "times",
        "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
    }.ToFrozenSet(StringComparer.Ordinal);

    // Variables bash gives a meaning of its own (or refuses to set) that dash does not: exported by the wrapper that bash
    // runs, they could change what bash does before the program starts, or what the program receives.
    private static readonly FrozenSet<string> BashVariables = new[]
    {
        "CDPATH", "COLUMNS", "DIRSTACK", "EMACS", "ENV", "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "EXECIGNORE", "FCEDIT",
        "FIGNORE", "FUNCNAME", "FUNCNEST", "GLOBIGNORE", "GLOBSORT", "GROUPS", "HOSTFILE", "HOSTNAME", "HOSTTYPE", "IFS",
        "IGNOREEOF", "INPUTRC", "INSIDE_EMACS", "LINENO", "LINES", "MACHTYPE", "MAIL", "MAILCHECK", "MAILPATH", "MAPFILE",
        "OLDPWD", "OPTARG", "OPTERR", "OPTIND", "OSTYPE", "PIPESTATUS", "POSIXLY_CORRECT", "PPID", "PROMPT_COMMAND",
        "PROMPT_DIRTRIM", "PS0", "PS1", "PS2", "PS3", "PS4", "PWD", "RANDOM", "REPLY", "SECONDS", "SHELLOPTS", "SHLVL",
        "SRANDOM", "TIMEFORMAT", "TMOUT", "UID", "histchars",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The command's program and arguments when it is plain; null otherwise.</summary>
    public static PlainCommand? Parse(string command)
    {
        if (!Plain().IsMatch(command))
        {
            return null;
        }

        var program = command.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries)[0];
        if (ShellWords.Contains(program))
        {
            return null;
        }

        return new PlainCommand(program, program.Contains('/'), program switch { "true" => 0, "false" => 1, _ => null });
    }

    /// <summary>Whether bash may export this variable as dash would (not one bash treats specially).</summary>
    public static bool IsOrdinaryVariable(string name) =>
        !BashVariables.Contains(name) && !name.StartsWith("BASH", StringComparison.Ordinal) &&
        !name.StartsWith("COMP", StringComparison.Ordinal) && !name.StartsWith("HIST", StringComparison.Ordinal) &&
        !name.StartsWith("READLINE", StringComparison.Ordinal) && !name.StartsWith("COPROC", StringComparison.Ordinal);

    /// <summary>
    /// Whether <c>cd</c> to this directory behaves the same in bash and dash: an absolute path without <c>.</c> or
    /// <c>..</c> parts, empty parts or a trailing slash (no <c>CDPATH</c> search, no logical clean-up that could differ).
    /// </summary>
    public static bool IsSimpleDirectory(string directory) => directory == "/" || SimpleDirectory().IsMatch(directory);

    [GeneratedRegex(@"\A[ \t]*[A-Za-z0-9_./+][A-Za-z0-9_./+-]*([ \t]+[A-Za-z0-9_./+,:@%=-]+)*[ \t]*\z")]
    private static partial Regex Plain();

    [GeneratedRegex(@"\A(/(?!\.\.?(/|\z))[^/\0]+)+\z")]
    private static partial Regex SimpleDirectory();
}
