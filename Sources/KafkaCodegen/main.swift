print("codegen: not yet")
