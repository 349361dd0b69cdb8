using RControl.Transports.Ssh;

namespace RControl.Ssh.Tests.Transport;

/// <summary>Which commands bash may start itself: those every POSIX shell runs the same way.</summary>
public sealed class PlainCommandTests
{
    [Theory]
    [InlineData("true", "true", 0)]
    [InlineData("false x", "false", 1)]
    [InlineData("ls -l /tmp", "ls", null)]
    [InlineData("  uname\t-a ", "uname", null)]
    [InlineData("/usr/bin/env", "/usr/bin/env", null)]
    [InlineData("dd if=/dev/zero of=/dev/null count=1 bs=1k", "dd", null)]
    [InlineData("g++ -O2 a.c", "g++", null)]
    public void A_program_with_plain_words_is_plain(string command, string program, int? exitCode)
    {
        var plain = PlainCommand.Parse(command);
        Assert.NotNull(plain);
        Assert.Equal(program, plain.Program);
        Assert.Equal(program.Contains('/'), plain.HasSlash);
        Assert.Equal(exitCode, plain.ExitCode);
    }

    [Theory]
    [InlineData("echo hi")] // a builtin of both, and they differ
    [InlineData("kill -9 1")]
    [InlineData("source x")] // bash only
    [InlineData("time ls")] // a reserved word of bash
    [InlineData("if")]
    [InlineData("A=1 ls")] // an assignment
    [InlineData("-x")]
    [InlineData("ls *")]
    [InlineData("ls ~")]
    [InlineData("ls a{b,c}")]
    [InlineData("ls $HOME")]
    [InlineData("ls 'a b'")]
    [InlineData("ls; ls")]
    [InlineData("ls | cat")]
    [InlineData("ls >x")]
    [InlineData("ls\nls")]
    [InlineData("ls \\x")]
    [InlineData("")]
    public void Anything_a_shell_may_read_its_own_way_is_not(string command) =>
        Assert.Null(PlainCommand.Parse(command));

    [Theory]
    [InlineData("JAVA_HOME", true)]
    [InlineData("PATH", true)]
    [InlineData("LANG", true)]
    [InlineData("IFS", false)]
    [InlineData("BASH_ENV", false)]
    [InlineData("SHELLOPTS", false)]
    [InlineData("UID", false)]
    [InlineData("CDPATH", false)]
    [InlineData("REPLY", false)]
    public void Variables_bash_treats_its_own_way_are_not_ordinary(string name, bool ordinary) =>
        Assert.Equal(ordinary, PlainCommand.IsOrdinaryVariable(name));

    [Theory]
    [InlineData("/", true)]
    [InlineData("/tmp", true)]
    [InlineData("/srv/a b/.x", true)]
    [InlineData("tmp", false)]
    [InlineData("/tmp/", false)]
    [InlineData("/tmp//x", false)]
    [InlineData("/tmp/../x", false)]
    [InlineData("/./x", false)]
    [InlineData("/x/..", false)]
    public void Only_a_clean_absolute_directory_is_simple(string directory, bool simple) =>
        Assert.Equal(simple, PlainCommand.IsSimpleDirectory(directory));
}
