import { describe, expect, it } from "vitest";
import { repositoryField, repositoryUrl } from "./repository-field.mjs";

describe("repositoryUrl", () => {
  it("turns the usual remote spellings into one https address", () => {
    expect(repositoryUrl("git@github.com:corral/corral.git")).toBe("git+https://github.com/corral/corral.git");
    expect(repositoryUrl("https://github.com/corral/corral")).toBe("git+https://github.com/corral/corral.git");
    expect(repositoryUrl("https://token@gitlab.example.org/team/corral.git\n")).toBe("git+https://gitlab.example.org/team/corral.git");
    expect(repositoryUrl("ssh://git@git.example.com:2222/team/corral.git")).toBe("git+https://git.example.com/team/corral.git");
  });

  it("gives no address for a clone of a local folder", () => {
    expect(repositoryUrl("/work/main")).toBeUndefined();
    expect(repositoryUrl("file:///work/main")).toBeUndefined();
    expect(repositoryUrl("../corral")).toBeUndefined();
    expect(repositoryUrl("")).toBeUndefined();
    expect(repositoryUrl(undefined)).toBeUndefined();
  });
});

describe("repositoryField", () => {
  it("names the package's folder in the repository", () => {
    expect(repositoryField("git@github.com:corral/corral.git", "packages/rag")).toEqual({
      type: "git",
      url: "git+https://github.com/corral/corral.git",
      directory: "packages/rag",
    });
    expect(repositoryField("/tmp/clone", "packages/rag")).toBeUndefined();
  });
});
