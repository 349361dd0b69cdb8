using System.CommandLine;

namespace RControl.Host.Cli;

/// <summary>The options of <c>exec</c> that pssh and clush users reach for (docs/cli.md, "Coming from pssh, clush, Fabric").</summary>
internal sealed class ParityOptions
{
    public Option<string[]> Hosts { get; } = new("--hosts", "--hostfile")
    {
        Description = "A hosts file (pssh -h): one [user@]host[:port] per line, '# comments'. Repeatable; adds to -t.",
        HelpName = "file",
    };

    public Option<string[]> Exclude { get; } = new("--exclude", "-x")
    {
        Description = "Leave out these targets: names, host ranges, comma lists (clush -x).",
        HelpName = "targets",
    };

    public Option<string[]> ExcludeGroup { get; } = new("--exclude-group", "-X")
    {
        Description = "Leave out every member of this inventory group (clush -X).",
        HelpName = "group",
    };

    public Option<bool> LargestStatus { get; } = new("--maxrc", "-S") { Description = "Exit with the largest exit status of the commands (clush -S); none counts as 255." };

    public Option<string?> OutDir { get; } = new("--outdir") { Description = "Write each target's stdout to DIR/<target> (pssh -o; -o DIR works too).", HelpName = "dir" };

    public Option<string?> ErrDir { get; } = new("--errdir", "-e") { Description = "Write each target's stderr to DIR/<target> (pssh -e); implies --combine-stderr false.", HelpName = "dir" };

    public Option<string?> Stdin { get; } = new("--stdin") { Description = "Send this file (or rcontrol's stdin, -) to every command's stdin (pssh -I).", HelpName = "file|-" };

    /// <summary>Adds the options to exec.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Hosts, Exclude, ExcludeGroup, LargestStatus, OutDir, ErrDir, Stdin })
        {
            command.Options.Add(option);
        }
    }
}
