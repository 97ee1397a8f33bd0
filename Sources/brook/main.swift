print("brook: under construction")
